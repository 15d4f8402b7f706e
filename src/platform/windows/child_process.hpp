#pragma once

// Starting `cmd.exe` for the tool's child programs (an --exec run, a --handler) inside a job object
// that kills the whole tree, and describing how it ended. Included by src/platform/ only.
#include "platform/windows/unique_handle.hpp"

#include <windows.h>

#include <string>

namespace oneline::platform::windows {

/// The exit code a killed job's processes get.
inline constexpr UINT kKilledExitCode = 1;

/// Throws Error with GetLastError() for `what`.
[[noreturn]] void fail_with_last_error(const char* what);

/// A job object that kills every process in it when its last handle closes, also when the tool
/// dies without cleaning up. Throws Error.
UniqueHandle make_kill_on_close_job();

/// A copy of `handle` the child inherits; empty when `handle` is none (no stderr to share).
UniqueHandle inheritable_copy(HANDLE handle);

/// The handles of a child started by start_in_job().
struct StartedChild {
    UniqueHandle process;
};

/// `cmd.exe /d /s /c SHELL_TEXT` (the system's own cmd.exe), started suspended, put in `job`, then
/// resumed, so that nothing it starts escapes the job; it inherits only `input`, `output` and
/// `error` (each inheritable; `error` may be null), as its stdin, stdout and stderr. `environment`
/// is a CREATE_UNICODE_ENVIRONMENT block, or null for the tool's own. In a process group of its
/// own (a Ctrl-C meant for the server does not reach it), without a console window when the tool
/// has none. Throws Error.
StartedChild start_in_job(HANDLE job, const std::string& shell_text, wchar_t* environment, HANDLE input, HANDLE output,
                          HANDLE error);

/// An exit code in words: success is 0; "exited with status 9009 (command not found)", "ended with
/// status 0xC0000005".
struct ExitCode {
    bool success = true;
    std::string description;
};
ExitCode describe_exit_code(DWORD code);

}  // namespace oneline::platform::windows
