#pragma once

#include "net/unique_fd.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace oneline::test {

/// A plain blocking TCP connection for wire-level tests: sends exact bytes,
/// reads with a timeout, and can close abruptly. Setup failures throw.
class RawSocket {
public:
    using Clock = std::chrono::steady_clock;

    explicit RawSocket(net::UniqueFd fd) : fd_(std::move(fd)) {}

    /// Connects to `host` (a numeric IPv4 or IPv6 address) on `port`.
    static RawSocket connect(std::uint16_t port, const std::string& host = "127.0.0.1") {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        addrinfo* list = nullptr;
        if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list) != 0 || list == nullptr) {
            throw std::runtime_error("cannot resolve " + host);
        }
        net::UniqueFd fd(::socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
        const int status = fd ? ::connect(fd.get(), list->ai_addr, list->ai_addrlen) : -1;
        const int error = errno;
        ::freeaddrinfo(list);
        if (status != 0) {
            throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(error));
        }
        return RawSocket(std::move(fd));
    }

    int fd() const noexcept { return fd_.get(); }

    /// Writes every byte; false when the connection failed (never SIGPIPE).
    bool send_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return false;
            }
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    /// The next line without its 0x0A; std::nullopt when none came within
    /// `timeout` or the peer closed (see closed()).
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            if (const auto end = buffer_.find('\n'); end != std::string::npos) {
                std::string line = buffer_.substr(0, end);
                buffer_.erase(0, end + 1);
                return line;
            }
            if (!read_more(deadline)) {
                return std::nullopt;
            }
        }
    }

    /// Reads until the peer closes or resets, or `timeout` passes, discarding
    /// data; true when the connection ended.
    bool wait_closed(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        const auto deadline = Clock::now() + timeout;
        while (read_more(deadline)) {
            buffer_.clear();
        }
        return closed_;
    }

    /// True once a read saw end of stream or a reset.
    bool closed() const noexcept { return closed_; }

    /// Every byte received and not yet returned as a line.
    const std::string& buffered() const noexcept { return buffer_; }

    /// Closes with SO_LINGER 0, so the peer gets a reset instead of an end of stream.
    void reset_connection() {
        const linger abort_on_close{1, 0};
        ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
        fd_.reset();
    }

    /// Closes normally (end of stream for the peer).
    void close() { fd_.reset(); }

    /// Stops sending (end of stream for the peer) but keeps reading.
    void shutdown_write() { ::shutdown(fd_.get(), SHUT_WR); }

private:
    // Reads what arrives before `deadline` into buffer_; false on timeout or end of connection.
    bool read_more(Clock::time_point deadline) {
        if (closed_) {
            return false;
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd entry{fd_.get(), POLLIN, 0};
        const int ready = ::poll(&entry, 1, left > 0 ? static_cast<int>(left) : 0);
        if (ready < 0 && errno == EINTR) {
            return Clock::now() < deadline;
        }
        if (ready <= 0) {
            return false;
        }
        char chunk[4096];
        const ssize_t got = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (got <= 0) {
            closed_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return true;
    }

    net::UniqueFd fd_;
    std::string buffer_;
    bool closed_ = false;
};

/// A listening socket on 127.0.0.1 with an ephemeral port, standing in for a
/// server that misbehaves (never answers, closes at once, sends exact bytes).
class RawListener {
public:
    RawListener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (!fd_ || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::listen(fd_.get(), 8) != 0 ||
            ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error(std::string("raw listener: ") + std::strerror(errno));
        }
        port_ = ntohs(address.sin_port);
    }

    std::uint16_t port() const noexcept { return port_; }

    /// The next connection, or std::nullopt when none came within `timeout`.
    std::optional<RawSocket> accept(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        pollfd entry{fd_.get(), POLLIN, 0};
        if (::poll(&entry, 1, static_cast<int>(timeout.count())) <= 0) {
            return std::nullopt;
        }
        net::UniqueFd fd(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!fd) {
            return std::nullopt;
        }
        return RawSocket(std::move(fd));
    }

    /// Closes the listening socket: new connections are refused.
    void close() { fd_.reset(); }

private:
    net::UniqueFd fd_;
    std::uint16_t port_ = 0;
};

}  // namespace oneline::test
