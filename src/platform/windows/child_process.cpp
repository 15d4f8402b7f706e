// cmd.exe started in a job object, shared by the tool's --exec runs and its --handler.
#include "platform/windows/child_process.hpp"

#include "platform/windows/wide_text.hpp"
#include "platform/windows/winsock.hpp"

#include <oneline/errors.hpp>

#include <cstdio>
#include <utility>
#include <vector>

namespace oneline::platform::windows {
namespace {

constexpr DWORD kCommandNotFound = 9009;  // cmd.exe's status for a name it cannot find

/// The full path of cmd.exe in the system directory: neither the current directory nor a
/// ComSpec variable can put another program in its place.
std::wstring command_interpreter() {
    wchar_t directory[MAX_PATH];
    const UINT length = ::GetSystemDirectoryW(directory, MAX_PATH);
    if (length == 0 || length >= MAX_PATH) {
        fail_with_last_error("GetSystemDirectoryW");
    }
    return std::wstring(directory, length) + L"\\cmd.exe";
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
            fail_with_last_error("InitializeProcThreadAttributeList");
        }
        if (!::UpdateProcThreadAttribute(list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                         handles_.size() * sizeof(HANDLE), nullptr, nullptr)) {
            ::DeleteProcThreadAttributeList(list_);
            fail_with_last_error("UpdateProcThreadAttribute");
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

}  // namespace

void fail_with_last_error(const char* what) { throw Error(winsock_error(static_cast<int>(::GetLastError())), what); }

UniqueHandle make_kill_on_close_job() {
    UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
    if (!job) {
        fail_with_last_error("CreateJobObjectW");
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        fail_with_last_error("SetInformationJobObject");
    }
    return job;
}

UniqueHandle inheritable_copy(HANDLE handle) {
    HANDLE copy = nullptr;
    if (handle == nullptr || handle == INVALID_HANDLE_VALUE ||
        !::DuplicateHandle(::GetCurrentProcess(), handle, ::GetCurrentProcess(), &copy, 0, TRUE,
                           DUPLICATE_SAME_ACCESS)) {
        return UniqueHandle();
    }
    return UniqueHandle(copy);
}

StartedChild start_in_job(HANDLE job, const std::string& shell_text, wchar_t* environment, HANDLE input, HANDLE output,
                          HANDLE error) {
    const std::wstring interpreter = command_interpreter();
    // /d: no AutoRun commands from the registry; /s /c: the rest, less its outer quotes, is the command as written.
    std::wstring command_line = L"\"" + interpreter + L"\" /d /s /c \"" + to_wide(shell_text) + L"\"";

    std::vector<HANDLE> handed_over{input, output};
    if (error != nullptr) {
        handed_over.push_back(error);
    }
    const InheritedHandles inherited(std::move(handed_over));
    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = input;
    startup.StartupInfo.hStdOutput = output;
    startup.StartupInfo.hStdError = error;
    startup.lpAttributeList = inherited.get();

    DWORD flags = CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT | CREATE_NEW_PROCESS_GROUP;
    if (environment != nullptr) {
        flags |= CREATE_UNICODE_ENVIRONMENT;
    }
    if (::GetConsoleWindow() == nullptr) {
        flags |= CREATE_NO_WINDOW;
    }
    PROCESS_INFORMATION started{};
    if (!::CreateProcessW(interpreter.c_str(), command_line.data(), nullptr, nullptr, TRUE, flags, environment, nullptr,
                          &startup.StartupInfo, &started)) {
        fail_with_last_error("CreateProcessW cmd.exe");
    }
    StartedChild child{UniqueHandle(started.hProcess)};
    const UniqueHandle thread(started.hThread);
    if (!::AssignProcessToJobObject(job, child.process.get())) {
        const DWORD code = ::GetLastError();
        ::TerminateProcess(child.process.get(), kKilledExitCode);
        throw Error(winsock_error(static_cast<int>(code)), "AssignProcessToJobObject");
    }
    ::ResumeThread(thread.get());
    return child;
}

ExitCode describe_exit_code(DWORD code) {
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

}  // namespace oneline::platform::windows
