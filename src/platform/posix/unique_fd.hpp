#pragma once

// A POSIX descriptor owner, for the tool's POSIX code in src/platform/ and the benchmark's POSIX support.
#include <unistd.h>

#include <utility>

namespace oneline::net {

/// Owns one file descriptor and closes it when destroyed. Move-only; the only
/// place in the library that calls close().
class UniqueFd {
public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() { reset(); }

    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }

    /// Gives up ownership without closing.
    int release() noexcept { return std::exchange(fd_, -1); }

    /// Closes the current descriptor (never retried: on Linux the descriptor
    /// is gone even when close reports EINTR) and takes `fd`.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace oneline::net
