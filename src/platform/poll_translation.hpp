#pragma once

#include "net/socket_io.hpp"

// The one translation between net::Readiness and a platform's poll flags (poll's POLLIN/POLLOUT
// on POSIX, WSAPoll's POLLRDNORM/POLLWRNORM on Windows), so that every backend maps them alike.
// Included by src/platform/ only, with the platform's own flags as the arguments.
namespace oneline::platform {

/// The flags to wait for, from what the caller wants (net::kReadable, net::kWritable).
template <short kIn, short kOut>
short to_poll_events(short wanted) noexcept {
    short events = 0;
    if ((wanted & net::kReadable) != 0) {
        events |= kIn;
    }
    if ((wanted & net::kWritable) != 0) {
        events |= kOut;
    }
    return events;
}

/// What is ready, from the flags the wait reported: `kError` are those that mean a failed socket.
template <short kIn, short kOut, short kHangUp, short kError>
short from_poll_events(short revents) noexcept {
    short ready = 0;
    if ((revents & kIn) != 0) {
        ready |= net::kReadable;
    }
    if ((revents & kOut) != 0) {
        ready |= net::kWritable;
    }
    if ((revents & kHangUp) != 0) {
        ready |= net::kHungUp;
    }
    if ((revents & kError) != 0) {
        ready |= net::kFailed;
    }
    return ready;
}

}  // namespace oneline::platform
