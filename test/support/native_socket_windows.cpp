// The socket calls of native_socket.hpp with Winsock 2 (WSAPoll, ioctlsocket, closesocket),
// Winsock's error codes translated to errno values.
#include "test/support/native_socket.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>

namespace oneline::test::native {
namespace {

int errno_value(int winsock_error) noexcept {
    switch (winsock_error) {
        case 0: return 0;
        case WSAEINTR: return EINTR;
        case WSAEWOULDBLOCK: return EWOULDBLOCK;
        case WSAEINPROGRESS: return EINPROGRESS;
        case WSAEALREADY: return EALREADY;
        case WSAEINVAL: return EINVAL;
        case WSAEMFILE: return EMFILE;
        case WSAENOTSOCK: return ENOTSOCK;
        case WSAEADDRINUSE: return EADDRINUSE;
        case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
        case WSAENETDOWN: return ENETDOWN;
        case WSAENETUNREACH: return ENETUNREACH;
        case WSAECONNABORTED: return ECONNABORTED;
        case WSAECONNRESET: return ECONNRESET;
        case WSAENOBUFS: return ENOBUFS;
        case WSAENOTCONN: return ENOTCONN;
        case WSAESHUTDOWN: return EPIPE;
        case WSAETIMEDOUT: return ETIMEDOUT;
        case WSAECONNREFUSED: return ECONNREFUSED;
        case WSAEHOSTUNREACH: return EHOSTUNREACH;
        default: return winsock_error;  // no errno match: Winsock's own number, for the message
    }
}

int clamped_length(std::size_t size) noexcept { return static_cast<int>(std::min<std::size_t>(size, INT_MAX)); }

}  // namespace

void start_sockets() {
    static const int status = [] {
        WSADATA data{};
        return ::WSAStartup(MAKEWORD(2, 2), &data);
    }();
    if (status != 0) {
        throw std::system_error(status, std::system_category(), "WSAStartup");
    }
}

int last_error() noexcept { return errno_value(::WSAGetLastError()); }

bool would_block(int error) noexcept { return error == EWOULDBLOCK || error == EAGAIN; }

Handle open_stream(int family) {
    start_sockets();
    return ::WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
}

bool make_nonblocking(Handle socket) noexcept {
    u_long on = 1;
    return ::ioctlsocket(socket, FIONBIO, &on) == 0;
}

Handle accept_connection(Handle listener) noexcept {
    const Handle accepted = ::accept(listener, nullptr, nullptr);
    if (accepted == INVALID_SOCKET) {
        return kNoHandle;
    }
    if (!make_nonblocking(accepted)) {
        const int error = ::WSAGetLastError();
        ::closesocket(accepted);
        ::WSASetLastError(error);
        return kNoHandle;
    }
    // NOLINTNEXTLINE(performance-no-int-to-ptr): a SOCKET is a kernel handle
    ::SetHandleInformation(reinterpret_cast<HANDLE>(accepted), HANDLE_FLAG_INHERIT, 0);
    return accepted;
}

int start_connect(Handle socket, const sockaddr& address, socklen_t length) noexcept {
    if (::connect(socket, &address, length) == 0) {
        return 0;
    }
    const int error = ::WSAGetLastError();
    return error == WSAEWOULDBLOCK ? EINPROGRESS : errno_value(error);  // Winsock's "in the background"
}

int pending_error(Handle socket) noexcept {
    int error = 0;
    int length = sizeof error;
    if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) != 0) {
        return last_error();
    }
    return errno_value(error);
}

short wait(Handle socket, short wanted, std::chrono::steady_clock::time_point deadline) noexcept {
    WSAPOLLFD entry{socket, 0, 0};
    entry.events =
        static_cast<short>(((wanted & kReadable) != 0 ? POLLRDNORM : 0) | ((wanted & kWritable) != 0 ? POLLWRNORM : 0));
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    const int ready = ::WSAPoll(&entry, 1, left > 0 ? static_cast<INT>(std::min<long long>(left, INT_MAX)) : 0);
    if (ready <= 0) {
        return ready < 0 ? kBroken : 0;
    }
    short result = 0;
    result |= (entry.revents & POLLRDNORM) != 0 ? kReadable : 0;
    result |= (entry.revents & POLLWRNORM) != 0 ? kWritable : 0;
    result |= (entry.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 ? kBroken : 0;
    return result;
}

std::ptrdiff_t send(Handle socket, std::string_view bytes) noexcept {
    const int sent = ::send(socket, bytes.data(), clamped_length(bytes.size()), 0);
    return sent == SOCKET_ERROR ? -1 : sent;
}

std::ptrdiff_t receive(Handle socket, char* buffer, std::size_t size) noexcept {
    const int got = ::recv(socket, buffer, clamped_length(size), 0);
    return got == SOCKET_ERROR ? -1 : got;
}

void shutdown_sending(Handle socket) noexcept { ::shutdown(socket, SD_SEND); }

void close(Handle socket) noexcept { ::closesocket(socket); }

}  // namespace oneline::test::native
