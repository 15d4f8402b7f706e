// A child's exit on Linux: a pidfd, readable once the child has exited.
#include "platform/posix/child_exit.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace oneline::platform::posix {

ChildExit::ChildExit() = default;

void ChildExit::watch(pid_t pid) noexcept {
    pid_ = pid;
    // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrapper does not link from C++.
    owned_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    fd_ = owned_.get();
}

bool ChildExit::exited() const noexcept { return has_exited(pid_); }

}  // namespace oneline::platform::posix
