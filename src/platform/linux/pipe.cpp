// Pipes on Linux: close-on-exec in the same call (pipe2), with no moment for a fork to inherit them.
#include "platform/posix/pipe.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <system_error>
#include <unistd.h>

namespace oneline::platform::posix {

PipeEnds open_private_pipe() {
    std::array<int, 2> ends{-1, -1};
    if (::pipe2(ends.data(), O_CLOEXEC) != 0) {
        throw Error(std::error_code(errno, std::system_category()), "pipe2");
    }
    return PipeEnds{net::UniqueFd(ends[0]), net::UniqueFd(ends[1])};
}

}  // namespace oneline::platform::posix
