#pragma once

#include <fcntl.h>

namespace oneline::platform::posix {

/// Makes `fd` non-blocking and closed in child processes, for systems without the flags that do
/// it when the descriptor is made (SOCK_NONBLOCK, SOCK_CLOEXEC, accept4, pipe2). False on failure.
inline bool make_nonblocking_and_private(int fd) noexcept {
    const int status = ::fcntl(fd, F_GETFL);
    const int descriptor = ::fcntl(fd, F_GETFD);
    return status >= 0 && descriptor >= 0 && ::fcntl(fd, F_SETFL, status | O_NONBLOCK) == 0 &&
           ::fcntl(fd, F_SETFD, descriptor | FD_CLOEXEC) == 0;
}

}  // namespace oneline::platform::posix
