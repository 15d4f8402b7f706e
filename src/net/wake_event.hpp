#pragma once

#include "net/unique_fd.hpp"

#include <oneline/errors.hpp>

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <unistd.h>

namespace oneline::net {

/// An eventfd that one thread polls and any thread signals, to wake a poll()
/// for a stop request or for responses queued by another thread.
class WakeEvent {
public:
    WakeEvent() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
        if (!fd_) {
            throw Error(std::error_code(errno, std::system_category()), "eventfd");
        }
    }

    int fd() const noexcept { return fd_.get(); }

    /// Makes fd() readable. Never blocks; safe from any thread.
    void signal() noexcept {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto written = ::write(fd_.get(), &one, sizeof one);
    }

    /// Makes fd() unreadable again.
    void clear() noexcept {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto got = ::read(fd_.get(), &count, sizeof count);
    }

private:
    UniqueFd fd_;
};

}  // namespace oneline::net
