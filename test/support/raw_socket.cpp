#include "test/support/raw_socket.hpp"

#include <cerrno>
#include <system_error>
#include <utility>

namespace oneline::test {
namespace {

using Clock = std::chrono::steady_clock;

template <class Value>
void set_option(native::Handle socket, int level, int name, const Value& value) noexcept {
    ::setsockopt(socket, level, name, reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

RawSocket::~RawSocket() { close(); }

RawSocket::RawSocket(RawSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, native::kNoHandle)),
      error_(other.error_),
      closed_(other.closed_),
      broken_(other.broken_),
      buffered_(std::move(other.buffered_)) {}

RawSocket& RawSocket::operator=(RawSocket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, native::kNoHandle);
        error_ = other.error_;
        closed_ = other.closed_;
        broken_ = other.broken_;
        buffered_ = std::move(other.buffered_);
    }
    return *this;
}

RawSocket RawSocket::adopt(Handle fd) noexcept { return RawSocket(fd); }

RawSocket RawSocket::connect_to(const sockaddr& address, socklen_t length, std::chrono::milliseconds timeout,
                                int receive_buffer) {
    RawSocket socket(native::open_stream(address.sa_family));
    const auto fail = [](int error) {
        RawSocket failed;
        failed.error_ = error;
        return failed;
    };
    if (!socket.valid() || !native::make_nonblocking(socket.fd_)) {
        return fail(native::last_error());
    }
    socket.set_no_delay();
    if (receive_buffer > 0) {
        set_option(socket.fd_, SOL_SOCKET, SO_RCVBUF, receive_buffer);
    }
    const int started = native::start_connect(socket.fd_, address, length);
    if (started == 0) {
        return socket;
    }
    if (started != EINPROGRESS) {
        return fail(started);
    }
    if (native::wait(socket.fd_, native::kWritable, Clock::now() + timeout) == 0) {
        return fail(ETIMEDOUT);
    }
    const int error = native::pending_error(socket.fd_);
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
    native::start_sockets();
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument), "cannot resolve " + host);
    }
    RawSocket socket = connect_to(*found->ai_addr, static_cast<socklen_t>(found->ai_addrlen), kDefaultTimeout);
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
        const std::ptrdiff_t sent = native::send(fd_, bytes);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && !native::would_block(native::last_error())) {
            return Io::closed;
        }
        const short ready = native::wait(fd_, native::kWritable, deadline);
        if (ready == 0) {
            return Io::timed_out;
        }
        if ((ready & native::kWritable) == 0) {
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
        const std::ptrdiff_t got = native::receive(fd_, chunk, sizeof chunk);
        if (got > 0) {
            buffered_.append(chunk, static_cast<std::size_t>(got));
            return Io::ok;
        }
        if (got == 0 || !native::would_block(native::last_error())) {
            closed_ = true;
            broken_ = got != 0;
            return Io::closed;
        }
        if (native::wait(fd_, native::kReadable, deadline) == 0) {
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

void RawSocket::set_no_delay() noexcept { set_option(fd_, IPPROTO_TCP, TCP_NODELAY, 1); }

void RawSocket::reset_on_close() noexcept {
    const linger abortive{1, 0};
    set_option(fd_, SOL_SOCKET, SO_LINGER, abortive);
}

void RawSocket::reset_connection() noexcept {
    reset_on_close();
    close();
}

void RawSocket::shutdown_write() noexcept { native::shutdown_sending(fd_); }

void RawSocket::close() noexcept {
    if (valid()) {
        native::close(fd_);
        fd_ = native::kNoHandle;
    }
    buffered_.clear();
}

}  // namespace oneline::test
