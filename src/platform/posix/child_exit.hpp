#pragma once

// Noticing that a child process of the `oneline` tool has exited. Included by src/platform/ only.
#include "platform/posix/unique_fd.hpp"

#include <cerrno>
#include <sys/types.h>
#include <sys/wait.h>

namespace oneline::platform::posix {

/// True once child `pid` has exited. Leaves it unreaped, so that its pid (and the id of its
/// process group) stays reserved until its owner reaps it.
inline bool has_exited(pid_t pid) noexcept {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
        if (errno != EINTR) {
            return true;  // no such child: nothing left to wait for
        }
    }
    return info.si_pid != 0;
}

/// Something to poll() that turns readable when one child process exits. Linux: a pidfd.
/// Elsewhere: a pipe that a SIGCHLD handler writes to, installed for the rest of the process on
/// first use (the tool runs one child at a time: a second watch at once could miss its wake-up).
class ChildExit {
public:
    /// Gets ready for a child started after this call. Throws Error.
    ChildExit();

    /// Watches `pid`, a child just started.
    void watch(pid_t pid) noexcept;

    /// Readable (POLLIN) when the child may have exited; -1 when there is nothing to wait on (a
    /// Linux kernel without pidfd): the end of the child's output must then stand for its exit.
    int fd() const noexcept { return fd_; }

    /// After fd() turned readable: true when the child has exited (see has_exited()).
    bool exited() const noexcept;

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    net::UniqueFd owned_;  // fd_ when this watch opened it for itself (the pidfd)
};

}  // namespace oneline::platform::posix
