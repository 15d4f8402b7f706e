#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace oneline::stress {
namespace {

using Clock = std::chrono::steady_clock;

/// Polls `fd` for `events` until `deadline`; returns revents, 0 on timeout.
short wait_until(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd entry{fd, events, 0};
        const int ready = ::poll(&entry, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
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

}  // namespace

RawSocket::~RawSocket() { close(); }

RawSocket::RawSocket(RawSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffered_(std::move(other.buffered_)) {}

RawSocket& RawSocket::operator=(RawSocket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        buffered_ = std::move(other.buffered_);
    }
    return *this;
}

RawSocket RawSocket::connect_to(std::uint16_t port, std::chrono::milliseconds timeout, int receive_buffer) {
    RawSocket socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.valid()) {
        return socket;
    }
    // Every send goes out at once, as its own segment: a test decides how the bytes are split.
    const int on = 1;
    ::setsockopt(socket.fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (receive_buffer > 0) {
        ::setsockopt(socket.fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        return socket;
    }
    if (errno != EINPROGRESS) {
        return RawSocket();
    }
    if (wait_until(socket.fd_, POLLOUT, Clock::now() + timeout) == 0) {
        return RawSocket();
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(socket.fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    return error == 0 ? std::move(socket) : RawSocket();
}

Io RawSocket::send_all(std::string_view bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return Io::closed;
        }
        const short events = wait_until(fd_, POLLOUT, deadline);
        if (events == 0) {
            return Io::timed_out;
        }
        if ((events & POLLOUT) == 0) {
            return Io::closed;
        }
    }
    return Io::ok;
}

Io RawSocket::fill(Clock::time_point deadline) {
    char chunk[16 * 1024];
    for (;;) {
        const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
        if (got > 0) {
            buffered_.append(chunk, static_cast<std::size_t>(got));
            return Io::ok;
        }
        if (got == 0) {
            return Io::closed;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return Io::closed;
        }
        if (wait_until(fd_, POLLIN, deadline) == 0) {
            return Io::timed_out;
        }
    }
}

Io RawSocket::read_line(std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::size_t searched = 0;
    for (;;) {
        const std::size_t newline = buffered_.find('\n', searched);
        if (newline != std::string::npos) {
            line.assign(buffered_, 0, newline);
            buffered_.erase(0, newline + 1);
            return Io::ok;
        }
        searched = buffered_.size();
        if (const Io status = fill(deadline); status != Io::ok) {
            return status;
        }
    }
}

Io RawSocket::read_some(std::string& out, std::chrono::milliseconds timeout) {
    if (buffered_.empty()) {
        if (const Io status = fill(Clock::now() + timeout); status != Io::ok) {
            return status;
        }
    }
    out.append(buffered_);
    buffered_.clear();
    return Io::ok;
}

Io RawSocket::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const Io status = fill(deadline);
        buffered_.clear();
        if (status != Io::ok) {
            return status;
        }
    }
}

void RawSocket::reset_on_close() {
    const linger abortive{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
}

void RawSocket::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    buffered_.clear();
}

}  // namespace oneline::stress
