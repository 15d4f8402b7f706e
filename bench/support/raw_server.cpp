#include "raw_server.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace oneline::bench {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// The serving loop blocks (no poll, no timeouts: the least a server can do);
// stop() wakes it with shutdown().

/// One blocking read, retried on EINTR: the count, 0 at end of stream, -1 on error.
ssize_t receive(int fd, char* buffer, std::size_t size) noexcept {
    ssize_t got = 0;
    do {
        got = ::recv(fd, buffer, size, 0);
    } while (got < 0 && errno == EINTR);
    return got;
}

/// Blocking write of all of `bytes` (no SIGPIPE); false when the connection failed.
bool send_every_byte(int fd, std::string_view bytes) noexcept {
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        } else if (errno != EINTR) {
            return false;
        }
    }
    return true;
}

}  // namespace

RawServer::RawServer(std::size_t max_line_length) : max_line_length_(max_line_length), port_(listener_.port()) {}

RawServer::~RawServer() { stop(); }

void RawServer::start() {
    thread_ = std::thread([this] { serve_forever(); });
}

void RawServer::stop() {
    stopping_ = true;
    // shutdown() wakes a thread blocked in accept() or recv() on Linux.
    ::shutdown(listener_.fd(), SHUT_RDWR);
    {
        const std::lock_guard lock(client_mutex_);
        if (client_fd_ >= 0) {
            ::shutdown(client_fd_, SHUT_RDWR);
        }
    }
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
        thread_.join();
    }
}

void RawServer::serve_forever() {
    while (!stopping_) {
        test::RawSocket client = test::RawSocket::adopt(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!client.valid()) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return;
        }
        client.set_no_delay();
        {
            const std::lock_guard lock(client_mutex_);
            client_fd_ = client.fd();
        }
        const bool shutdown = serve_client(client.fd());
        {
            const std::lock_guard lock(client_mutex_);
            client_fd_ = -1;
            client.close();
        }
        if (shutdown) {
            stopping_ = true;
        }
    }
}

bool RawServer::serve_client(int fd) {
    const auto buffer = std::make_unique<char[]>(kReadChunk);
    std::string partial;
    std::string out;
    for (;;) {
        const ssize_t got = receive(fd, buffer.get(), kReadChunk);
        if (got <= 0) {
            return false;
        }
        const char* next = buffer.get();
        const char* const end = buffer.get() + got;
        while (next < end) {
            const auto* newline =
                static_cast<const char*>(std::memchr(next, '\n', static_cast<std::size_t>(end - next)));
            if (newline == nullptr) {
                if (partial.size() + static_cast<std::size_t>(end - next) > max_line_length_) {
                    return false;
                }
                partial.append(next, end);
                break;
            }
            std::string_view line(next, static_cast<std::size_t>(newline - next));
            next = newline + 1;
            if (partial.size() + line.size() > max_line_length_) {
                return false;
            }
            if (!partial.empty()) {
                partial.append(line);
                line = partial;
            }
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (line == "ping") {
                out.append("pong\n");
            } else if (line == "disconnect" || line == "shutdown") {
                send_every_byte(fd, out);
                return line == "shutdown";
            } else {
                out.append(line).push_back('\n');
            }
            partial.clear();
        }
        if (!out.empty()) {
            if (!send_every_byte(fd, out)) {
                return false;
            }
            out.clear();
        }
    }
}

}  // namespace oneline::bench
