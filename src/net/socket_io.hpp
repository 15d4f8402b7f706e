#pragma once

#include "net/deadline.hpp"

#include <chrono>
#include <cstddef>
#include <string_view>
#include <sys/types.h>

namespace oneline::net {

/// Waits until `fd` has one of `events` (POLLIN, POLLOUT) or `deadline`
/// passes. Returns the poll revents, 0 on timeout. Retries on EINTR.
short wait_for(int fd, short events, Deadline deadline);

/// Sends as much of `bytes` as the socket takes without blocking, never
/// raising SIGPIPE. Returns the count sent (0 when the buffer is full), or
/// -1 with errno set when the connection failed.
ssize_t send_some(int fd, std::string_view bytes) noexcept;

/// Reads what is available into `buffer` without blocking. Returns the count,
/// 0 at end of stream, or -1 with errno set (EAGAIN: nothing to read). Retries on EINTR.
ssize_t receive_some(int fd, char* buffer, std::size_t size) noexcept;

/// The TCP user timeout accepted connections get unless configured otherwise.
inline constexpr std::chrono::milliseconds kDefaultUserTimeout{120000};

/// Turns on TCP keepalive (probes after 60 s idle, every 10 s, 6 of them) and
/// a TCP user timeout (data sent and unacknowledged for `user_timeout` ends
/// the connection), so that a vanished peer is found whether or not data is
/// in flight; and TCP_NODELAY, so that a short response is not held back
/// waiting for an acknowledgement.
void tune_connection(int fd, std::chrono::milliseconds user_timeout = kDefaultUserTimeout) noexcept;

}  // namespace oneline::net
