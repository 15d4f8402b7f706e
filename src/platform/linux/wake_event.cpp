// The wake event on Linux: one eventfd, both ends in one descriptor.
#include "net/wake_event.hpp"

#include <oneline/errors.hpp>

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <unistd.h>

namespace oneline::net {

WakeEvent::WakeEvent() : read_end_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!read_end_) {
        throw Error(std::error_code(errno, std::system_category()), "eventfd");
    }
}

void WakeEvent::signal() noexcept {
    const int saved_errno = errno;  // it may run in a signal handler, whose interrupted code reads errno
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(read_end_.get(), &one, sizeof one);
    errno = saved_errno;
}

void WakeEvent::clear() noexcept {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto got = ::read(read_end_.get(), &count, sizeof count);
}

}  // namespace oneline::net
