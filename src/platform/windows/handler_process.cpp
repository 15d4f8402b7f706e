// A --handler program on Windows: `cmd.exe /d /s /c CMD` started once in a job object that kills
// the whole process tree (see child_process.hpp). Its stdin and stdout are named pipes whose
// server ends the tool opens for overlapped I/O, so that one wait covers its output, room for its
// input, its exit and the deadline, with no polling interval in the way of each answer.
#include "handler/handler_process.hpp"

#include "platform/windows/child_process.hpp"
#include "platform/windows/unique_handle.hpp"
#include "platform/windows/winsock.hpp"

#include <oneline/errors.hpp>

#include <windows.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <string>
#include <vector>

namespace oneline::handler {
namespace {

using platform::windows::fail_with_last_error;
using platform::windows::UniqueHandle;

constexpr DWORD kPipeBuffer = 64 * 1024;

std::atomic<unsigned> pipes_made{0};

/// A unique local pipe name: this process's id and a count.
std::wstring pipe_name() {
    return L"\\\\.\\pipe\\oneline-handler-" + std::to_wstring(::GetCurrentProcessId()) + L"-" +
           std::to_wstring(pipes_made.fetch_add(1));
}

/// One direction between the tool and the program: the tool's end opened for overlapped I/O, the
/// program's end inheritable and synchronous, as programs expect of their stdin and stdout.
struct PipePair {
    UniqueHandle own_end;
    UniqueHandle child_end;
};

PipePair open_pipe(bool tool_writes) {
    const std::wstring name = pipe_name();
    PipePair pair;
    pair.own_end.reset(::CreateNamedPipeW(name.c_str(),
                                          (tool_writes ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) |
                                              FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                          PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                          1, kPipeBuffer, kPipeBuffer, 0, nullptr));
    if (!pair.own_end) {
        fail_with_last_error("CreateNamedPipeW");
    }
    SECURITY_ATTRIBUTES inherited{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    pair.child_end.reset(::CreateFileW(name.c_str(), tool_writes ? GENERIC_READ : GENERIC_WRITE, 0, &inherited,
                                       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!pair.child_end) {
        fail_with_last_error("CreateFileW (the program's pipe end)");
    }
    return pair;
}

/// An overlapped operation on one handle, with its own event and buffer: both must outlive it.
struct Operation {
    Operation() : event(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
        if (!event) {
            fail_with_last_error("CreateEventW");
        }
        overlapped.hEvent = event.get();
    }
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    /// Cancels it if pending and waits until the system is done with the buffer.
    void cancel(HANDLE handle) noexcept {
        if (pending) {
            ::CancelIoEx(handle, &overlapped);
            DWORD ignored = 0;
            ::GetOverlappedResult(handle, &overlapped, &ignored, TRUE);
            pending = false;
        }
    }

    UniqueHandle event;
    OVERLAPPED overlapped{};
    std::vector<char> buffer = std::vector<char>(kPipeBuffer);
    bool pending = false;
};

}  // namespace

struct HandlerProcess::State {
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        if (job) {
            ::TerminateJobObject(job.get(), platform::windows::kKilledExitCode);
        }
        writing.cancel(input.get());
        reading.cancel(output.get());
    }

    UniqueHandle job;      // every process of the program
    UniqueHandle process;  // cmd.exe
    UniqueHandle input;    // the tool's end of its stdin
    UniqueHandle output;   // the tool's end of its stdout
    Operation writing;
    Operation reading;
    std::size_t ready = 0;  // bytes read and not yet handed over, from ready_at in reading.buffer
    std::size_t ready_at = 0;
    bool output_open = true;
    bool exited = false;
    bool stopped = false;
    Exit ending;

    /// Starts a read when none is pending; false when the output has ended.
    void start_read() noexcept {
        if (!output_open || reading.pending || ready > 0) {
            return;
        }
        ::ResetEvent(reading.event.get());
        if (::ReadFile(output.get(), reading.buffer.data(), kPipeBuffer, nullptr, &reading.overlapped) ||
            ::GetLastError() == ERROR_IO_PENDING) {
            reading.pending = true;  // a read done at once is collected like one that waited
        } else {
            output_open = false;  // ERROR_BROKEN_PIPE: every write end is closed
        }
    }

    /// Collects a finished read without waiting.
    void collect_read() noexcept {
        if (!reading.pending) {
            return;
        }
        DWORD got = 0;
        if (::GetOverlappedResult(output.get(), &reading.overlapped, &got, FALSE)) {
            reading.pending = false;
            ready = got;
            ready_at = 0;
        } else if (::GetLastError() != ERROR_IO_INCOMPLETE) {
            reading.pending = false;
            output_open = false;
        }
    }

    /// Collects a finished write without waiting.
    void collect_write() noexcept {
        if (!writing.pending) {
            return;
        }
        DWORD written = 0;
        if (::GetOverlappedResult(input.get(), &writing.overlapped, &written, FALSE)) {
            writing.pending = false;
        } else if (::GetLastError() != ERROR_IO_INCOMPLETE) {
            writing.pending = false;
            input.reset();  // it closed its stdin or ended
        }
    }

    /// Hands the front of `pending` to a write when none is in progress.
    void start_write(std::string& pending) noexcept {
        if (pending.empty() || writing.pending || !input) {
            return;
        }
        const std::size_t size = std::min<std::size_t>(pending.size(), kPipeBuffer);
        std::memcpy(writing.buffer.data(), pending.data(), size);
        pending.erase(0, size);
        ::ResetEvent(writing.event.get());
        if (::WriteFile(input.get(), writing.buffer.data(), static_cast<DWORD>(size), nullptr, &writing.overlapped) ||
            ::GetLastError() == ERROR_IO_PENDING) {
            writing.pending = true;
        } else {
            input.reset();
        }
    }
};

HandlerProcess::HandlerProcess(const std::string& shell_text) : state_(std::make_unique<State>()) {
    state_->job = platform::windows::make_kill_on_close_job();
    PipePair to_child = open_pipe(true);
    PipePair from_child = open_pipe(false);
    const UniqueHandle error_output = platform::windows::inheritable_copy(::GetStdHandle(STD_ERROR_HANDLE));
    state_->process = platform::windows::start_in_job(state_->job.get(), shell_text, nullptr, to_child.child_end.get(),
                                                      from_child.child_end.get(), error_output.get())
                          .process;
    state_->input = std::move(to_child.own_end);
    state_->output = std::move(from_child.own_end);
    // The program's ends close here: it holds the only ones now, so its end ends the output.
}

HandlerProcess::~HandlerProcess() {
    if (state_ && !state_->stopped) {
        stop(default_grace);
    }
}

HandlerProcess::Progress HandlerProcess::exchange(std::string& input, char* buffer, std::size_t size,
                                                  net::Deadline deadline) noexcept {
    using Kind = Progress::Kind;
    State& state = *state_;
    for (;;) {
        state.collect_write();
        if (!state.input) {
            input.clear();  // it reads no more: what it was owed cannot reach it
        }
        state.start_write(input);
        state.collect_read();
        if (state.ready > 0) {
            const std::size_t taken = std::min(size, state.ready);
            std::memcpy(buffer, state.reading.buffer.data() + state.ready_at, taken);
            state.ready -= taken;
            state.ready_at += taken;
            return {Kind::output, taken, {}};
        }
        state.start_read();
        state.collect_read();
        if (state.ready > 0) {
            continue;
        }
        if (!state.output_open || state.exited) {
            return {Kind::ended, 0, {}};  // what its leftover processes print later does not hold it up
        }
        if (net::expired(deadline, net::Clock::now())) {
            return {Kind::timed_out, 0, {}};
        }
        std::array<HANDLE, 3> handles{};
        DWORD count = 0;
        handles[count++] = state.process.get();
        handles[count++] = state.reading.event.get();
        if (state.writing.pending) {
            handles[count++] = state.writing.event.get();
        }
        const int timeout = net::poll_timeout(deadline);
        const DWORD woke = ::WaitForMultipleObjects(count, handles.data(), FALSE,
                                                    timeout < 0 ? INFINITE : static_cast<DWORD>(timeout));
        if (woke == WAIT_OBJECT_0) {
            state.exited = true;  // its output is collected first, above
        } else if (woke == WAIT_FAILED) {
            return {Kind::failed, 0, platform::windows::winsock_error(static_cast<int>(::GetLastError()))};
        }
    }
}

void HandlerProcess::kill() noexcept { ::TerminateJobObject(state_->job.get(), platform::windows::kKilledExitCode); }

HandlerProcess::Exit HandlerProcess::stop(std::chrono::milliseconds grace) {
    State& state = *state_;
    if (state.stopped) {
        return state.ending;
    }
    state.stopped = true;
    state.writing.cancel(state.input.get());
    state.input.reset();  // the end of its stdin: the sign to finish
    const net::Deadline deadline = net::deadline_after(grace);
    while (!state.exited && !net::expired(deadline, net::Clock::now())) {
        state.ready = 0;  // what it prints while it finishes goes nowhere, but must not block it
        state.collect_read();
        state.start_read();
        std::array<HANDLE, 2> handles{state.process.get(), state.reading.event.get()};
        const DWORD count = state.output_open ? 2 : 1;
        const int timeout = net::poll_timeout(deadline);
        const DWORD woke = ::WaitForMultipleObjects(count, handles.data(), FALSE,
                                                    timeout < 0 ? INFINITE : static_cast<DWORD>(timeout));
        if (woke == WAIT_OBJECT_0) {
            state.exited = true;
        } else if (woke == WAIT_FAILED || woke == WAIT_TIMEOUT) {
            break;  // the kill below ends it anyway
        }
    }
    ::TerminateJobObject(state.job.get(), platform::windows::kKilledExitCode);  // late, or left processes behind
    ::WaitForSingleObject(state.process.get(), INFINITE);
    state.reading.cancel(state.output.get());
    DWORD code = 0;
    if (!::GetExitCodeProcess(state.process.get(), &code)) {
        state.ending = {false, "ended with an unknown status"};
    } else {
        const platform::windows::ExitCode exit = platform::windows::describe_exit_code(code);
        state.ending = {exit.success, exit.description};
    }
    return state.ending;
}

std::string_view HandlerProcess::invocation() noexcept { return "`cmd.exe /d /s /c CMD`"; }

}  // namespace oneline::handler
