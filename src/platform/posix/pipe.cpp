// Pipes with plain POSIX (pipe, then fcntl), as macOS and the BSDs need.
#include "platform/posix/pipe.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <system_error>
#include <unistd.h>

namespace oneline::platform::posix {
namespace {

bool close_on_exec(int fd) noexcept {
    const int flags = ::fcntl(fd, F_GETFD);
    return flags >= 0 && ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0;
}

}  // namespace

PipeEnds open_private_pipe() {
    std::array<int, 2> ends{-1, -1};
    if (::pipe(ends.data()) != 0) {
        throw Error(std::error_code(errno, std::system_category()), "pipe");
    }
    PipeEnds pipe{net::UniqueFd(ends[0]), net::UniqueFd(ends[1])};
    if (!close_on_exec(ends[0]) || !close_on_exec(ends[1])) {
        throw Error(std::error_code(errno, std::system_category()), "fcntl");
    }
    return pipe;
}

}  // namespace oneline::platform::posix
