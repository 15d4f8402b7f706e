// The wake event with plain POSIX: a non-blocking pipe (a "self-pipe"). signal() only writes one
// byte, so it is safe from a signal handler too.
#include "net/wake_event.hpp"

#include "platform/posix/descriptor_flags.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <unistd.h>

namespace oneline::net {

WakeEvent::WakeEvent() {
    std::array<int, 2> ends{-1, -1};
    if (::pipe(ends.data()) != 0) {
        throw Error(std::error_code(errno, std::system_category()), "pipe");
    }
    read_end_.reset(ends[0]);
    write_end_.reset(ends[1]);
    if (!platform::posix::make_nonblocking_and_private(ends[0]) ||
        !platform::posix::make_nonblocking_and_private(ends[1])) {
        throw Error(std::error_code(errno, std::system_category()), "fcntl");
    }
}

void WakeEvent::signal() noexcept {
    const int saved_errno = errno;  // it may run in a signal handler, whose interrupted code reads errno
    const char one = 1;             // a full pipe is already readable: nothing more is needed
    [[maybe_unused]] const auto written = ::write(write_end_.get(), &one, 1);
    errno = saved_errno;
}

void WakeEvent::clear() noexcept {
    std::array<char, 64> drained{};
    while (::read(read_end_.get(), drained.data(), drained.size()) > 0) {
    }
}

}  // namespace oneline::net
