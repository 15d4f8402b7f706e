#include "net/socket_io.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

namespace oneline::net {

short wait_for(int fd, short events, Deadline deadline) {
    pollfd entry{fd, events, 0};
    for (;;) {
        const int ready = ::poll(&entry, 1, poll_timeout(deadline));
        if (ready > 0) {
            return entry.revents;
        }
        if (ready == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return POLLERR;
        }
    }
}

ssize_t send_some(int fd, std::string_view bytes) noexcept {
    for (;;) {
        const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent >= 0) {
            return sent;
        }
        if (errno == EINTR) {
            continue;
        }
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
}

ssize_t receive_some(int fd, char* buffer, std::size_t size) noexcept {
    for (;;) {
        const ssize_t got = ::recv(fd, buffer, size, MSG_DONTWAIT);
        if (got >= 0 || errno != EINTR) {
            return got;
        }
    }
}

void tune_connection(int fd, std::chrono::milliseconds user_timeout) noexcept {
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    // Find a vanished peer within about two minutes rather than the kernel's two hours.
    const int idle_seconds = 60;
    const int interval_seconds = 10;
    const int probes = 6;
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, sizeof idle_seconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_seconds, sizeof interval_seconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
    // Keepalive does not probe while data is in flight: a peer that vanishes then is found by the
    // user timeout instead of after the kernel's retransmissions (about 15 minutes).
    const auto timeout_ms = static_cast<unsigned int>(
        std::clamp<std::chrono::milliseconds::rep>(user_timeout.count(), 1, std::numeric_limits<int>::max()));
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms, sizeof timeout_ms);
}

}  // namespace oneline::net
