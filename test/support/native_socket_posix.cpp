// The socket calls of native_socket.hpp on POSIX (Linux's flags: SOCK_CLOEXEC, accept4,
// MSG_NOSIGNAL, MSG_DONTWAIT).
#include "test/support/native_socket.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace oneline::test::native {

void start_sockets() {}

int last_error() noexcept { return errno; }

bool would_block(int error) noexcept { return error == EAGAIN || error == EWOULDBLOCK; }

Handle open_stream(int family) { return ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0); }

bool make_nonblocking(Handle socket) noexcept {
    const int flags = ::fcntl(socket, F_GETFL);
    return flags >= 0 && ::fcntl(socket, F_SETFL, flags | O_NONBLOCK) == 0;
}

Handle accept_connection(Handle listener) noexcept {
    return ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int start_connect(Handle socket, const sockaddr& address, socklen_t length) noexcept {
    return ::connect(socket, &address, length) == 0 ? 0 : errno;
}

int pending_error(Handle socket) noexcept {
    int error = 0;
    socklen_t length = sizeof error;
    return ::getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0 ? error : errno;
}

short wait(Handle socket, short wanted, std::chrono::steady_clock::time_point deadline) noexcept {
    pollfd entry{socket, 0, 0};
    entry.events =
        static_cast<short>(((wanted & kReadable) != 0 ? POLLIN : 0) | ((wanted & kWritable) != 0 ? POLLOUT : 0));
    int ready = 0;
    do {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        ready = ::poll(&entry, 1, left > 0 ? static_cast<int>(left) : 0);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) {
        return ready < 0 ? kBroken : 0;
    }
    short result = 0;
    result |= (entry.revents & POLLIN) != 0 ? kReadable : 0;
    result |= (entry.revents & POLLOUT) != 0 ? kWritable : 0;
    result |= (entry.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 ? kBroken : 0;
    return result;
}

std::ptrdiff_t send(Handle socket, std::string_view bytes) noexcept {
    for (;;) {
        // MSG_DONTWAIT: an adopted descriptor may be blocking; the caller's wait does the waiting.
        const ssize_t sent = ::send(socket, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent >= 0 || errno != EINTR) {
            return sent;
        }
    }
}

std::ptrdiff_t receive(Handle socket, char* buffer, std::size_t size) noexcept {
    for (;;) {
        const ssize_t got = ::recv(socket, buffer, size, MSG_DONTWAIT);
        if (got >= 0 || errno != EINTR) {
            return got;
        }
    }
}

void shutdown_sending(Handle socket) noexcept { ::shutdown(socket, SHUT_WR); }

void close(Handle socket) noexcept { ::close(socket); }

}  // namespace oneline::test::native
