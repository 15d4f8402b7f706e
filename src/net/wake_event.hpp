#pragma once

#include "net/socket.hpp"

namespace oneline::net {

/// Something one thread waits on (it turns readable) and any thread signals, to wake a wait for a
/// stop request or for responses queued by another thread. An eventfd on Linux, a pipe on other
/// POSIX systems, a connected pair of loopback sockets on Windows (whose wait takes only sockets).
class WakeEvent {
public:
    /// Throws Error when the system has no room for it.
    WakeEvent();

    /// What to wait on for kReadable.
    NativeSocket fd() const noexcept { return read_end_.get(); }

    /// Makes fd() readable. Never blocks; safe from any thread (and, on POSIX, from a signal handler).
    void signal() noexcept;

    /// Makes fd() unreadable again.
    void clear() noexcept;

private:
    Socket read_end_;
    Socket write_end_;  // invalid where one object is both ends (eventfd)
};

}  // namespace oneline::net
