#pragma once

// Pipes for the `oneline` tool's POSIX code (its --exec programs' output, its signal self-pipes).
// Included by src/platform/ only.
#include "platform/posix/unique_fd.hpp"

#include <fcntl.h>

namespace oneline::platform::posix {

/// The two ends of a pipe.
struct PipeEnds {
    net::UniqueFd read_end;
    net::UniqueFd write_end;
};

/// A new pipe whose ends child processes do not inherit (an end handed to a child on purpose, with
/// dup2, is inherited). pipe2 on Linux; pipe and fcntl elsewhere, which leaves a moment where a
/// process forked by another thread could inherit them. Throws Error.
PipeEnds open_private_pipe();

/// Makes `fd` non-blocking. False on failure (errno says why).
inline bool make_nonblocking(int fd) noexcept {
    const int status = ::fcntl(fd, F_GETFL);
    return status >= 0 && ::fcntl(fd, F_SETFL, status | O_NONBLOCK) == 0;
}

}  // namespace oneline::platform::posix
