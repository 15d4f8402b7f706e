// An --exec program on Windows: `cmd.exe /d /s /c CMD` started suspended, put in a job object that
// kills the whole process tree (on a timeout, a stop, or when the tool itself dies), then resumed.
// Its stdout is an anonymous pipe, which cannot be waited on: read_output() looks into it with
// PeekNamedPipe between short waits for the process, bounded by the deadline.
#include "cli/shell_process.hpp"

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

using platform::windows::to_wide;
using platform::windows::UniqueHandle;
using platform::windows::winsock_error;

// How long output may wait in the pipe while the program runs: the pipe cannot wake a wait.
constexpr std::chrono::milliseconds kOutputPollInterval{10};

constexpr UINT kKilledExitCode = 1;
constexpr DWORD kCommandNotFound = 9009;         // cmd.exe's status for a name it cannot find
constexpr std::size_t kLongestVariable = 32767;  // characters an environment variable may hold, its name included

constexpr std::wstring_view kCommandVariable = L"ONELINE_COMMAND";
constexpr std::wstring_view kInvalidVariable = L"ONELINE_INVALID";

[[noreturn]] void fail(const char* what) { throw Error(winsock_error(static_cast<int>(::GetLastError())), what); }

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

/// The full path of cmd.exe in the system directory: neither the current directory nor a
/// ComSpec variable can put another program in its place.
std::wstring command_interpreter() {
    wchar_t directory[MAX_PATH];
    const UINT length = ::GetSystemDirectoryW(directory, MAX_PATH);
    if (length == 0 || length >= MAX_PATH) {
        fail("GetSystemDirectoryW");
    }
    return std::wstring(directory, length) + L"\\cmd.exe";
}

/// A handle the child inherits, made from one the tool has.
UniqueHandle inheritable_copy(HANDLE handle) {
    HANDLE copy = nullptr;
    if (handle == nullptr || handle == INVALID_HANDLE_VALUE ||
        !::DuplicateHandle(::GetCurrentProcess(), handle, ::GetCurrentProcess(), &copy, 0, TRUE,
                           DUPLICATE_SAME_ACCESS)) {
        return UniqueHandle();  // no stderr to share: the program gets none
    }
    return UniqueHandle(copy);
}

UniqueHandle open_null_input() {
    SECURITY_ATTRIBUTES inherited{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    UniqueHandle null_input(
        ::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherited, OPEN_EXISTING, 0, nullptr));
    if (!null_input) {
        fail("CreateFileW NUL");
    }
    return null_input;
}

UniqueHandle make_job() {
    UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
    if (!job) {
        fail("CreateJobObjectW");
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    // Closing the last handle kills the tree: also when the tool dies without cleaning up.
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        fail("SetInformationJobObject");
    }
    return job;
}

/// The list of handles a child inherits (PROC_THREAD_ATTRIBUTE_HANDLE_LIST): those, and no other
/// inheritable handle the tool may have.
class InheritedHandles {
public:
    explicit InheritedHandles(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
        SIZE_T size = 0;
        ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
        storage_.resize(size);
        list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
        if (!::InitializeProcThreadAttributeList(list_, 1, 0, &size)) {
            fail("InitializeProcThreadAttributeList");
        }
        if (!::UpdateProcThreadAttribute(list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                         handles_.size() * sizeof(HANDLE), nullptr, nullptr)) {
            ::DeleteProcThreadAttributeList(list_);
            fail("UpdateProcThreadAttribute");
        }
    }
    ~InheritedHandles() { ::DeleteProcThreadAttributeList(list_); }
    InheritedHandles(const InheritedHandles&) = delete;
    InheritedHandles& operator=(const InheritedHandles&) = delete;

    LPPROC_THREAD_ATTRIBUTE_LIST get() const noexcept { return list_; }

private:
    std::vector<HANDLE> handles_;  // must outlive the list, which points at it
    std::vector<unsigned char> storage_;
    LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

ShellProcess::Exit describe(DWORD code) {
    if (code >= 0xC0000000) {  // an NTSTATUS: the program crashed or was ended by the system
        char text[16];
        std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(code));
        return {false, std::string("ended with status ") + text};
    }
    std::string text = "exited with status " + std::to_string(code);
    if (code == kCommandNotFound) {
        text += " (command not found)";
    }
    return {code == 0, text};
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
    const std::wstring interpreter = command_interpreter();
    // /d: no AutoRun commands from the registry; /s /c: the rest, less its outer quotes, is the command as written.
    std::wstring command_line = L"\"" + interpreter + L"\" /d /s /c \"" + to_wide(shell_text) + L"\"";

    state_->job = make_job();
    HANDLE read_end = nullptr;
    HANDLE write_end = nullptr;
    if (!::CreatePipe(&read_end, &write_end, nullptr, 0)) {
        fail("CreatePipe");
    }
    state_->output.reset(read_end);
    const UniqueHandle child_output(write_end);
    if (!::SetHandleInformation(child_output.get(), HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
        fail("SetHandleInformation");
    }
    const UniqueHandle null_input = open_null_input();
    const UniqueHandle error_output = inheritable_copy(::GetStdHandle(STD_ERROR_HANDLE));

    std::vector<HANDLE> handed_over{null_input.get(), child_output.get()};
    if (error_output) {
        handed_over.push_back(error_output.get());
    }
    const InheritedHandles inherited(std::move(handed_over));
    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = null_input.get();
    startup.StartupInfo.hStdOutput = child_output.get();
    startup.StartupInfo.hStdError = error_output.get();
    startup.lpAttributeList = inherited.get();

    // Suspended until it is in the job, so that nothing it starts can escape it. A process group of
    // its own: a Ctrl-C meant for the server does not reach it (the server kills it instead). A tool
    // without a console (run by a service) gives it none either, rather than a new console window.
    DWORD flags =
        CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT | CREATE_NEW_PROCESS_GROUP;
    if (::GetConsoleWindow() == nullptr) {
        flags |= CREATE_NO_WINDOW;
    }
    PROCESS_INFORMATION started{};
    if (!::CreateProcessW(interpreter.c_str(), command_line.data(), nullptr, nullptr, TRUE, flags, environment.data(),
                          nullptr, &startup.StartupInfo, &started)) {
        fail("CreateProcessW cmd.exe");
    }
    state_->process.reset(started.hProcess);
    const UniqueHandle thread(started.hThread);
    if (!::AssignProcessToJobObject(state_->job.get(), state_->process.get())) {
        const DWORD error = ::GetLastError();
        ::TerminateProcess(state_->process.get(), kKilledExitCode);
        throw Error(winsock_error(static_cast<int>(error)), "AssignProcessToJobObject");
    }
    ::ResumeThread(thread.get());
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
    return describe(code);
}

bool ShellProcess::lines_end_in_crlf() noexcept { return true; }

std::string_view ShellProcess::invocation() noexcept { return "`cmd.exe /d /s /c CMD` (COMMAND in ONELINE_COMMAND)"; }

}  // namespace oneline::cli
