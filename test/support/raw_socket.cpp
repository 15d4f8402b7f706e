#include "test/support/raw_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace oneline::test {
namespace {

using Clock = std::chrono::steady_clock;

/// Polls `fd` for `events` until `deadline` (rounded up to whole
/// milliseconds); returns revents, 0 on timeout, POLLERR on failure.
short poll_until(int fd, short events, Clock::time_point deadline) {
    pollfd entry{fd, events, 0};
    int ready = 0;
    do {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        ready = ::poll(&entry, 1, left > 0 ? static_cast<int>(left) : 0);
    } while (ready < 0 && errno == EINTR);
    if (ready < 0) {
        return POLLERR;
    }
    return ready == 0 ? 0 : entry.revents;
}

}  // namespace

RawSocket::~RawSocket() { close(); }

RawSocket::RawSocket(RawSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      error_(other.error_),
      closed_(other.closed_),
      buffered_(std::move(other.buffered_)) {}

RawSocket& RawSocket::operator=(RawSocket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        error_ = other.error_;
        closed_ = other.closed_;
        buffered_ = std::move(other.buffered_);
    }
    return *this;
}

RawSocket RawSocket::adopt(int fd) noexcept { return RawSocket(fd); }

RawSocket RawSocket::connect_to(const sockaddr& address, socklen_t length, std::chrono::milliseconds timeout,
                                int receive_buffer) {
    RawSocket socket(::socket(address.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const auto fail = [](int error) {
        RawSocket failed;
        failed.error_ = error;
        return failed;
    };
    if (!socket.valid()) {
        return fail(errno);
    }
    socket.set_no_delay();
    if (receive_buffer > 0) {
        ::setsockopt(socket.fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    if (::connect(socket.fd_, &address, length) == 0) {
        return socket;
    }
    if (errno != EINPROGRESS) {
        return fail(errno);
    }
    if (poll_until(socket.fd_, POLLOUT, Clock::now() + timeout) == 0) {
        return fail(ETIMEDOUT);
    }
    int error = 0;
    socklen_t error_length = sizeof error;
    ::getsockopt(socket.fd_, SOL_SOCKET, SO_ERROR, &error, &error_length);
    return error == 0 ? std::move(socket) : fail(error);
}

RawSocket RawSocket::connect_to(std::uint16_t port, std::chrono::milliseconds timeout, int receive_buffer) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return connect_to(reinterpret_cast<const sockaddr&>(address), sizeof address, timeout, receive_buffer);
}

RawSocket RawSocket::connect(std::uint16_t port, const std::string& host) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument), "cannot resolve " + host);
    }
    RawSocket socket = connect_to(*found->ai_addr, found->ai_addrlen, kDefaultTimeout);
    ::freeaddrinfo(found);
    if (!socket.valid()) {
        throw std::system_error(socket.error(), std::generic_category(),
                                "connect to " + host + " port " + std::to_string(port));
    }
    return socket;
}

Io RawSocket::send_all(std::string_view bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        // MSG_DONTWAIT: an adopted descriptor may be blocking; the poll below does the waiting.
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
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
        const short events = poll_until(fd_, POLLOUT, deadline);
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
    if (closed_) {
        return Io::closed;
    }
    char chunk[16 * 1024];
    for (;;) {
        const ssize_t got = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (got > 0) {
            buffered_.append(chunk, static_cast<std::size_t>(got));
            return Io::ok;
        }
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            closed_ = true;
            return Io::closed;
        }
        if (poll_until(fd_, POLLIN, deadline) == 0) {
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

std::optional<std::string> RawSocket::read_line(std::chrono::milliseconds timeout) {
    std::string line;
    if (read_line(line, timeout) != Io::ok) {
        return std::nullopt;
    }
    return line;
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

bool RawSocket::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    Io status = Io::ok;
    while (status == Io::ok) {
        status = fill(deadline);
        buffered_.clear();
    }
    return status == Io::closed;
}

void RawSocket::set_no_delay() noexcept {
    const int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void RawSocket::reset_on_close() noexcept {
    const linger abortive{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
}

void RawSocket::reset_connection() noexcept {
    reset_on_close();
    close();
}

void RawSocket::shutdown_write() noexcept { ::shutdown(fd_, SHUT_WR); }

void RawSocket::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    buffered_.clear();
}

}  // namespace oneline::test
