#pragma once

#include "net/deadline.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace oneline::cli {

/// One run of an `--exec` program: SHELL_TEXT run by the platform's shell
/// for one COMMAND, with its stdout in a pipe that the owner reads. Owned
/// like a descriptor: however its owner lets go of it (after wait(), on an
/// exception, at exit), every process it started is killed and cleaned up.
///
/// POSIX: `/bin/sh -c SHELL_TEXT sh COMMAND` (COMMAND is "$1") in a process
/// group of its own; whatever is left in the group when the shell exits is
/// killed (a process that leaves the group with setsid is out of reach, and
/// everything is when the tool itself is killed with SIGKILL). Windows:
/// `cmd.exe /d /s /c SHELL_TEXT` in a job object that kills the whole tree,
/// also when the tool itself is killed. On both, COMMAND is also in the
/// environment variable ONELINE_COMMAND: never part of the shell text.
class ShellProcess {
public:
    /// What read_output() found.
    struct Progress {
        enum class Kind {
            output,     ///< `size` bytes of output are at the start of the buffer
            exited,     ///< the program has exited and what it had printed is taken
            timed_out,  ///< the deadline passed first
            failed,     ///< waiting failed (see `error`); kill() and wait() still work
        };
        Kind kind = Kind::exited;
        std::size_t size = 0;
        std::error_code error;
    };

    /// How the program ended, in words for the server's stderr.
    struct Exit {
        bool success = true;      ///< it exited with status 0
        std::string description;  ///< "exited with status 127 (command not found)", "was killed by signal 9"
    };

    /// Starts the program with default signal handling, stdin from the null
    /// device, stdout into the pipe, stderr shared with the tool, and the
    /// tool's environment with ONELINE_COMMAND=`command` and, only when
    /// `is_invalid`, ONELINE_INVALID=1. A 0x00 byte ends `command` there (an
    /// argument or a variable cannot carry one). Throws Error with the reason
    /// when it cannot start.
    ShellProcess(const std::string& shell_text, const std::string& command, bool is_invalid);
    ~ShellProcess();
    ShellProcess(const ShellProcess&) = delete;
    ShellProcess& operator=(const ShellProcess&) = delete;

    /// Blocks until the program prints something (placed in `buffer`, at
    /// most `size` bytes), it exits, or `deadline` passes. Output it printed
    /// before exiting comes first; output of processes it left running does
    /// not hold up the exit. A program that closes its stdout and keeps
    /// running still times out.
    Progress read_output(char* buffer, std::size_t size, net::Deadline deadline) noexcept;

    /// Kills every process of the program at once; read_output() then
    /// reports the exit. Safe from any thread until wait() or the destructor
    /// begins (they clean up what kill() would use).
    void kill() noexcept;

    /// Blocks until the program has exited, kills what it left running and
    /// cleans up after it.
    Exit wait();

    /// True where programs end their text lines with 0x0D 0x0A (Windows): the 0x0D is not part of the line.
    static bool lines_end_in_crlf() noexcept;

    /// How CMD runs for a COMMAND, for help texts: "`/bin/sh -c CMD sh COMMAND` (COMMAND also in ...)".
    static std::string_view invocation() noexcept;

private:
    struct State;  // the platform's process, group or job, and pipe
    std::unique_ptr<State> state_;
};

}  // namespace oneline::cli
