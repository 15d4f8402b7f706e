#pragma once

#include "net/unique_fd.hpp"

#include <string>
#include <sys/types.h>

namespace oneline::cli {

/// `/bin/sh -c SHELL_TEXT sh ARGUMENT` running in a process group of its own,
/// owned like a descriptor: however its owner lets go of it (after the wait,
/// on an exception, at exit), every process still in its group is killed and
/// the shell is reaped. Nothing the shell starts in its group outlives it.
///
/// A process that leaves the group (setsid) is out of reach, and so is every
/// process when the tool itself is killed with SIGKILL: PR_SET_PDEATHSIG
/// would cover the shell only (children do not inherit it) and needs code
/// between fork and exec, which posix_spawn does not run.
class ShellProcess {
public:
    /// Starts the shell with default signal handling and an empty signal
    /// mask, stdin from /dev/null, stdout on `stdout_fd`, stderr shared with
    /// the tool, and the tool's environment with ONELINE_INVALID=1 only when
    /// `is_invalid`. Throws Error with the reason when it cannot start.
    ShellProcess(const std::string& shell_text, const std::string& argument, bool is_invalid, int stdout_fd);
    ~ShellProcess() { end(); }

    ShellProcess(const ShellProcess&) = delete;
    ShellProcess& operator=(const ShellProcess&) = delete;

    /// Readable once the shell has exited; -1 when the kernel has no pidfd.
    int exit_fd() const noexcept { return exit_fd_.get(); }

    /// Kills every process of the group (SIGKILL) at once.
    void kill_group() const noexcept;

    /// Blocks until the shell has exited, kills what it left running in its
    /// group and reaps it. Returns the shell's wait status (see waitpid).
    int wait() noexcept;

private:
    /// Kills the group and reaps the shell, unless already done.
    void end() noexcept;

    pid_t pid_ = -1;  // also the group's id; stays reserved until reaped, so a kill never hits a stranger
    net::UniqueFd exit_fd_;
};

}  // namespace oneline::cli
