#pragma once

// Starting `/bin/sh` for the tool's child programs (an --exec run, a --handler) and cleaning up
// after it. Included by src/platform/ only.
#include <string>
#include <sys/types.h>

namespace oneline::platform::posix {

/// `/bin/sh` with `argv` and `envp`, stdin from `stdin_fd` (the null device when -1), stdout on
/// `stdout_fd`, stderr shared with the tool, default signal handling and an empty signal mask, in
/// a process group of its own (so that a kill reaches what it starts). Returns its pid, which is
/// also the group's id; throws Error when it cannot start.
pid_t spawn_shell(char* const* argv, char* const* envp, int stdin_fd, int stdout_fd);

/// Sends SIGKILL to every process of the group `pid` leads; nothing when `pid` is not positive.
void kill_group(pid_t pid) noexcept;

/// Waits for child `pid` and reaps it; returns its wait status.
int reap(pid_t pid) noexcept;

/// Blocks until child `pid` has exited, without reaping it (its pid, and so its group's id, stays
/// reserved until it is reaped).
void wait_unreaped(pid_t pid) noexcept;

/// A wait status in words: success is exit status 0; "exited with status 127 (command not found)",
/// "was killed by signal 9".
struct ExitStatus {
    bool success = true;
    std::string description;
};
ExitStatus describe_status(int status);

}  // namespace oneline::platform::posix
