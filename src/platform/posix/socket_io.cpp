// The socket operations of net/socket_io.hpp with what POSIX (and macOS) offers: poll, send and
// recv, socket options chosen by feature macros. Shared by the Linux and the portable POSIX builds.
#include "net/socket_io.hpp"
#include "net/unix_socket.hpp"
#include "platform/poll_translation.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace oneline::net {
namespace {

template <class Value>
void set_option(int socket, int level, int name, Value value) noexcept {
    ::setsockopt(socket, level, name, &value, sizeof value);
}

}  // namespace

void close_socket(NativeSocket socket) noexcept { ::close(socket); }

std::error_code last_error() noexcept { return {errno, std::system_category()}; }

void start_sockets() {}

int wait_any(PollEntry* entries, std::size_t count, Deadline deadline) noexcept {
    constexpr std::size_t kMostEntries = 8;  // the library waits on three at most
    pollfd fds[kMostEntries];
    count = std::min(count, kMostEntries);
    for (std::size_t i = 0; i < count; ++i) {
        fds[i] = {entries[i].socket, platform::to_poll_events<POLLIN, POLLOUT>(entries[i].wanted), 0};
    }
    for (;;) {
        const int ready = ::poll(fds, static_cast<nfds_t>(count), poll_timeout(deadline));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        for (std::size_t i = 0; i < count; ++i) {
            entries[i].ready =
                ready > 0 ? platform::from_poll_events<POLLIN, POLLOUT, POLLHUP, POLLERR | POLLNVAL>(fds[i].revents)
                          : static_cast<short>(0);
        }
        return ready;
    }
}

void allow_quick_rebind(NativeSocket listener) noexcept { set_option(listener, SOL_SOCKET, SO_REUSEADDR, 1); }

bool connect_in_progress(const std::error_code& error) noexcept { return error == std::errc::operation_in_progress; }

std::error_code wait_connected(NativeSocket socket, Deadline deadline) noexcept {
    if (wait_for(socket, kWritable, deadline) == 0) {
        return std::make_error_code(std::errc::timed_out);
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        return last_error();
    }
    return {error, std::system_category()};
}

std::ptrdiff_t send_some(NativeSocket socket, std::string_view bytes) noexcept {
#ifdef MSG_NOSIGNAL
    constexpr int kFlags = MSG_NOSIGNAL;  // where it is missing (macOS) the socket has SO_NOSIGPIPE
#else
    constexpr int kFlags = 0;
#endif
    for (;;) {
        const ssize_t sent = ::send(socket, bytes.data(), bytes.size(), kFlags);
        if (sent >= 0) {
            return sent;
        }
        if (errno == EINTR) {
            continue;
        }
        return would_block(last_error()) ? 0 : -1;
    }
}

std::ptrdiff_t receive_some(NativeSocket socket, char* buffer, std::size_t size) noexcept {
    for (;;) {
        const ssize_t got = ::recv(socket, buffer, size, 0);
        if (got >= 0 || errno != EINTR) {
            return got;
        }
    }
}

void shutdown_sending(NativeSocket socket) noexcept { ::shutdown(socket, SHUT_WR); }

void shutdown_both(NativeSocket socket) noexcept { ::shutdown(socket, SHUT_RDWR); }

void reset_on_close(NativeSocket socket) noexcept {
    linger abort{};
    abort.l_onoff = 1;
    abort.l_linger = 0;
    set_option(socket, SOL_SOCKET, SO_LINGER, abort);
}

void tune_connection(NativeSocket socket, std::chrono::milliseconds user_timeout) noexcept {
    if (is_unix_socket(socket)) {
        return;  // the options below are TCP's; a local peer that goes away is seen at once
    }
    set_option(socket, SOL_SOCKET, SO_KEEPALIVE, 1);
    set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1);
    // Find a vanished peer within about two minutes rather than the kernel's two hours.
    constexpr int kIdleSeconds = 60;
    constexpr int kIntervalSeconds = 10;
    constexpr int kProbes = 6;
#if defined(TCP_KEEPIDLE)
    set_option(socket, IPPROTO_TCP, TCP_KEEPIDLE, kIdleSeconds);
#elif defined(TCP_KEEPALIVE)
    set_option(socket, IPPROTO_TCP, TCP_KEEPALIVE, kIdleSeconds);  // macOS's name for the idle time
#endif
#if defined(TCP_KEEPINTVL)
    set_option(socket, IPPROTO_TCP, TCP_KEEPINTVL, kIntervalSeconds);
#endif
#if defined(TCP_KEEPCNT)
    set_option(socket, IPPROTO_TCP, TCP_KEEPCNT, kProbes);
#endif
    // Keepalive does not probe while data is in flight: a peer that vanishes then is found by the
    // user timeout instead of after the kernel's retransmissions (about 15 minutes on Linux).
    if (user_timeout <= std::chrono::milliseconds::zero()) {
        return;  // zero: the system's own behaviour
    }
    const auto milliseconds =
        std::clamp<std::chrono::milliseconds::rep>(user_timeout.count(), 1, std::numeric_limits<int>::max());
#if defined(TCP_USER_TIMEOUT)
    set_option(socket, IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<unsigned int>(milliseconds));
#elif defined(TCP_RXT_CONNDROPTIME)
    set_option(socket, IPPROTO_TCP, TCP_RXT_CONNDROPTIME, static_cast<int>((milliseconds + 999) / 1000));
#else
    static_cast<void>(milliseconds);  // no such option here: keepalive alone finds a vanished peer
#endif
}

}  // namespace oneline::net
