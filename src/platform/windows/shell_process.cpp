// An --exec program on Windows: `cmd.exe /d /s /c CMD` started suspended, put in a job object that
// kills the whole process tree (on a timeout, a stop, or when the tool itself dies), then resumed.
// Its stdout is an anonymous pipe, which cannot be waited on: read_output() looks into it with
// PeekNamedPipe between short waits for the process, bounded by the deadline.
#include "cli/shell_process.hpp"

#include "platform/windows/child_process.hpp"
#include "platform/windows/unique_handle.hpp"
#include "platform/windows/wide_text.hpp"
#include "platform/windows/winsock.hpp"

#include <oneline/errors.hpp>

#include <windows.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cwchar>
#include <memory>
#include <vector>

namespace oneline::cli {
namespace {

using platform::windows::fail_with_last_error;
using platform::windows::inheritable_copy;
using platform::windows::kKilledExitCode;
using platform::windows::make_kill_on_close_job;
using platform::windows::start_in_job;
using platform::windows::to_wide;
using platform::windows::UniqueHandle;
using platform::windows::winsock_error;

// How long output may wait in the pipe while the program runs: the pipe cannot wake a wait.
constexpr std::chrono::milliseconds kOutputPollInterval{10};

constexpr std::size_t kLongestVariable = 32767;  // characters an environment variable may hold, its name included

constexpr std::wstring_view kCommandVariable = L"ONELINE_COMMAND";
constexpr std::wstring_view kInvalidVariable = L"ONELINE_INVALID";

/// The name of an environment block entry: up to its first '=' after the first character ("=C:" is
/// a name: cmd.exe keeps each drive's current directory that way).
std::wstring_view variable_name(std::wstring_view entry) {
    return entry.substr(0, std::min(entry.size(), entry.find(L'=', 1)));
}

/// CSTR_LESS_THAN, CSTR_EQUAL or CSTR_GREATER_THAN: variable names compare ignoring case.
int compare_names(std::wstring_view a, std::wstring_view b) {
    return ::CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(), static_cast<int>(b.size()), TRUE);
}

struct EnvironmentStringsDeleter {
    void operator()(wchar_t* strings) const noexcept { ::FreeEnvironmentStringsW(strings); }
};

/// The tool's environment with the command in ONELINE_COMMAND and ONELINE_INVALID=1 only when the
/// command was flagged, as a block for CreateProcessW: sorted by name, ignoring case, as Windows wants.
std::wstring environment_block(const std::string& command, bool is_invalid) {
    const std::wstring value = to_wide(command.substr(0, command.find('\0')));  // a variable ends at a 0x00
    if (kCommandVariable.size() + 1 + value.size() >= kLongestVariable) {
        throw Error(std::make_error_code(std::errc::argument_list_too_long),
                    "the command does not fit in an environment variable (32767 characters)");
    }
    std::vector<std::wstring> entries;
    const std::unique_ptr<wchar_t, EnvironmentStringsDeleter> current(::GetEnvironmentStringsW());
    for (const wchar_t* entry = current.get(); entry != nullptr && *entry != L'\0'; entry += std::wcslen(entry) + 1) {
        const std::wstring_view name = variable_name(entry);
        if (compare_names(name, kCommandVariable) != CSTR_EQUAL &&
            compare_names(name, kInvalidVariable) != CSTR_EQUAL) {
            entries.emplace_back(entry);
        }
    }
    entries.push_back(std::wstring(kCommandVariable) + L"=" + value);
    if (is_invalid) {
        entries.push_back(std::wstring(kInvalidVariable) + L"=1");
    }
    std::stable_sort(entries.begin(), entries.end(), [](const std::wstring& a, const std::wstring& b) {
        return compare_names(variable_name(a), variable_name(b)) == CSTR_LESS_THAN;
    });
    std::wstring block;
    for (const std::wstring& entry : entries) {
        block.append(entry).push_back(L'\0');
    }
    block.push_back(L'\0');
    return block;
}

UniqueHandle open_null_input() {
    SECURITY_ATTRIBUTES inherited{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    UniqueHandle null_input(
        ::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherited, OPEN_EXISTING, 0, nullptr));
    if (!null_input) {
        fail_with_last_error("CreateFileW NUL");
    }
    return null_input;
}

}  // namespace

struct ShellProcess::State {
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        if (job) {
            ::TerminateJobObject(job.get(), kKilledExitCode);
        }
    }

    UniqueHandle job;      // every process of the program
    UniqueHandle process;  // cmd.exe
    UniqueHandle output;   // the read end of its stdout
    bool output_open = true;
    bool exited = false;
};

ShellProcess::ShellProcess(const std::string& shell_text, const std::string& command, bool is_invalid)
    : state_(std::make_unique<State>()) {
    std::wstring environment = environment_block(command, is_invalid);
    state_->job = make_kill_on_close_job();
    HANDLE read_end = nullptr;
    HANDLE write_end = nullptr;
    if (!::CreatePipe(&read_end, &write_end, nullptr, 0)) {
        fail_with_last_error("CreatePipe");
    }
    state_->output.reset(read_end);
    const UniqueHandle child_output(write_end);
    if (!::SetHandleInformation(child_output.get(), HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
        fail_with_last_error("SetHandleInformation");
    }
    const UniqueHandle null_input = open_null_input();
    const UniqueHandle error_output = inheritable_copy(::GetStdHandle(STD_ERROR_HANDLE));
    state_->process = start_in_job(state_->job.get(), shell_text, environment.data(), null_input.get(),
                                   child_output.get(), error_output.get())
                          .process;
    // child_output closes here: the program holds the only write end now, so its end ends the output.
}

ShellProcess::~ShellProcess() = default;

ShellProcess::Progress ShellProcess::read_output(char* buffer, std::size_t size, net::Deadline deadline) noexcept {
    using Kind = Progress::Kind;
    State& state = *state_;
    for (;;) {
        if (!state.exited && net::expired(deadline, net::Clock::now())) {
            return {Kind::timed_out, 0, {}};
        }
        if (state.output_open) {
            DWORD available = 0;
            if (!::PeekNamedPipe(state.output.get(), nullptr, 0, nullptr, &available, nullptr)) {
                state.output_open = false;  // every write end is closed (ERROR_BROKEN_PIPE)
            } else if (available > 0) {
                DWORD got = 0;
                const auto wanted = static_cast<DWORD>(std::min<std::size_t>(size, available));
                if (::ReadFile(state.output.get(), buffer, wanted, &got, nullptr) && got > 0) {
                    return {Kind::output, got, {}};
                }
                state.output_open = false;
            }
        }
        if (state.exited) {
            return {Kind::exited, 0, {}};  // what its leftover processes print later does not hold it up
        }
        int timeout = net::poll_timeout(deadline);  // -1: no deadline
        if (state.output_open) {
            const int interval = static_cast<int>(kOutputPollInterval.count());
            timeout = timeout < 0 ? interval : std::min(timeout, interval);
        }
        switch (::WaitForSingleObject(state.process.get(), timeout < 0 ? INFINITE : static_cast<DWORD>(timeout))) {
            case WAIT_OBJECT_0: state.exited = true; break;
            case WAIT_TIMEOUT: break;
            default: return {Kind::failed, 0, winsock_error(static_cast<int>(::GetLastError()))};
        }
    }
}

void ShellProcess::kill() noexcept { ::TerminateJobObject(state_->job.get(), kKilledExitCode); }

ShellProcess::Exit ShellProcess::wait() {
    State& state = *state_;
    ::WaitForSingleObject(state.process.get(), INFINITE);
    ::TerminateJobObject(state.job.get(), kKilledExitCode);  // what cmd.exe left running
    DWORD code = 0;
    if (!::GetExitCodeProcess(state.process.get(), &code)) {
        return {false, "ended with an unknown status"};
    }
    const platform::windows::ExitCode exit = platform::windows::describe_exit_code(code);
    return {exit.success, exit.description};
}

bool ShellProcess::lines_end_in_crlf() noexcept { return true; }

std::string_view ShellProcess::invocation() noexcept { return "`cmd.exe /d /s /c CMD` (COMMAND in ONELINE_COMMAND)"; }

}  // namespace oneline::cli
