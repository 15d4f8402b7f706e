// The socket operations of net/socket_io.hpp with Winsock 2: WSAPoll, select() for a connect,
// send and recv, socket options (keepalive through SIO_KEEPALIVE_VALS, TCP_MAXRT).
#include "net/socket_io.hpp"
#include "platform/poll_translation.hpp"
#include "platform/windows/winsock.hpp"

#include <mstcpip.h>

#include <algorithm>
#include <climits>

namespace oneline::net {
namespace {

using platform::windows::winsock_error;

// Options of ws2ipdef.h (Windows 10) that MinGW's headers may lack; their values are fixed by the ABI.
#ifdef TCP_KEEPCNT
constexpr int kKeepaliveProbesOption = TCP_KEEPCNT;
#else
constexpr int kKeepaliveProbesOption = 16;  // Windows 10 1703 and later
#endif
#ifdef TCP_MAXRT
constexpr int kMaxRetransmitSecondsOption = TCP_MAXRT;
#else
constexpr int kMaxRetransmitSecondsOption = 5;
#endif

template <class Value>
void set_option(NativeSocket socket, int level, int name, Value value) noexcept {
    ::setsockopt(socket, level, name, reinterpret_cast<const char*>(&value), sizeof value);
}

int clamped_length(std::size_t size) noexcept { return static_cast<int>(std::min<std::size_t>(size, INT_MAX)); }

}  // namespace

int wait_any(PollEntry* entries, std::size_t count, Deadline deadline) noexcept {
    constexpr std::size_t kMostEntries = 8;  // the library waits on three at most
    WSAPOLLFD fds[kMostEntries];
    count = std::min(count, kMostEntries);
    for (std::size_t i = 0; i < count; ++i) {
        fds[i] = {entries[i].socket, platform::to_poll_events<POLLRDNORM, POLLWRNORM>(entries[i].wanted), 0};
    }
    // No signal interrupts a Winsock wait: nothing to retry.
    const int ready = ::WSAPoll(fds, static_cast<ULONG>(count), poll_timeout(deadline));
    for (std::size_t i = 0; i < count; ++i) {
        entries[i].ready =
            ready > 0 ? platform::from_poll_events<POLLRDNORM, POLLWRNORM, POLLHUP, POLLERR | POLLNVAL>(fds[i].revents)
                      : static_cast<short>(0);
    }
    return ready == SOCKET_ERROR ? -1 : ready;
}

void allow_quick_rebind(NativeSocket listener) noexcept {
    // Never SO_REUSEADDR here: on Windows it lets another socket bind the same port and take its
    // connections. Exclusive use forbids that.
    set_option(listener, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, BOOL{TRUE});
}

bool connect_in_progress(const std::error_code& error) noexcept { return error == std::errc::operation_would_block; }

std::error_code wait_connected(NativeSocket socket, Deadline deadline) noexcept {
    // select(), not WSAPoll: before Windows 10 2004 WSAPoll never reports a refused connect, which
    // select() puts in the "except" set.
    fd_set writable;
    fd_set failed;
    FD_ZERO(&writable);
    FD_ZERO(&failed);
    FD_SET(socket, &writable);
    FD_SET(socket, &failed);
    const int milliseconds = poll_timeout(deadline);
    timeval timeout{milliseconds / 1000, (milliseconds % 1000) * 1000};
    const int ready = ::select(0, nullptr, &writable, &failed, milliseconds < 0 ? nullptr : &timeout);
    if (ready == SOCKET_ERROR) {
        return last_error();
    }
    if (ready == 0) {
        return std::make_error_code(std::errc::timed_out);
    }
    int error = 0;
    int length = sizeof error;
    if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) != 0) {
        return last_error();
    }
    if (error == 0 && FD_ISSET(socket, &failed)) {
        error = WSAECONNREFUSED;  // reported failed without a reason: refused rather than connected
    }
    return error == 0 ? std::error_code() : winsock_error(error);
}

std::ptrdiff_t send_some(NativeSocket socket, std::string_view bytes) noexcept {
    // Windows has no SIGPIPE: a send to a closed connection only fails.
    const int sent = ::send(socket, bytes.data(), clamped_length(bytes.size()), 0);
    if (sent != SOCKET_ERROR) {
        return sent;
    }
    return would_block(last_error()) ? 0 : -1;
}

std::ptrdiff_t receive_some(NativeSocket socket, char* buffer, std::size_t size) noexcept {
    const int got = ::recv(socket, buffer, clamped_length(size), 0);
    return got == SOCKET_ERROR ? -1 : got;
}

void shutdown_sending(NativeSocket socket) noexcept { ::shutdown(socket, SD_SEND); }

void shutdown_both(NativeSocket socket) noexcept { ::shutdown(socket, SD_BOTH); }

void reset_on_close(NativeSocket socket) noexcept {
    LINGER abort{};
    abort.l_onoff = 1;
    abort.l_linger = 0;
    set_option(socket, SOL_SOCKET, SO_LINGER, abort);
}

void tune_connection(NativeSocket socket, std::chrono::milliseconds user_timeout) noexcept {
    set_option(socket, SOL_SOCKET, SO_KEEPALIVE, BOOL{TRUE});
    set_option(socket, IPPROTO_TCP, TCP_NODELAY, BOOL{TRUE});
    // Find a vanished peer within about two minutes rather than the system's two hours.
    tcp_keepalive keepalive{};
    keepalive.onoff = 1;
    keepalive.keepalivetime = 60'000;      // ms of silence before the first probe
    keepalive.keepaliveinterval = 10'000;  // ms between probes
    DWORD returned = 0;
    ::WSAIoctl(socket, SIO_KEEPALIVE_VALS, &keepalive, sizeof keepalive, nullptr, 0, &returned, nullptr, nullptr);
    set_option(socket, IPPROTO_TCP, kKeepaliveProbesOption, DWORD{6});  // else Windows sends 10
    // Keepalive does not probe while data is in flight: a peer that vanishes then is found by the
    // retransmission limit instead, in whole seconds.
    if (user_timeout <= std::chrono::milliseconds::zero()) {
        return;  // zero: the system's own behaviour
    }
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(user_timeout).count();
    set_option(socket, IPPROTO_TCP, kMaxRetransmitSecondsOption,
               static_cast<DWORD>(std::clamp<std::chrono::seconds::rep>(seconds, 1, INT_MAX)));
}

}  // namespace oneline::net
