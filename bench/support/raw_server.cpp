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

}  // namespace

RawServer::RawServer(std::size_t max_line_length)
    : max_line_length_(max_line_length), listener_(listen_loopback()), port_(local_port(listener_.get())) {}

RawServer::~RawServer() { stop(); }

void RawServer::start() {
    thread_ = std::thread([this] { serve_forever(); });
}

void RawServer::stop() {
    stopping_ = true;
    // shutdown() wakes a thread blocked in accept() or recv() on Linux.
    ::shutdown(listener_.get(), SHUT_RDWR);
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
        Socket client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!client) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return;
        }
        set_no_delay(client.get());
        {
            const std::lock_guard lock(client_mutex_);
            client_fd_ = client.get();
        }
        const bool shutdown = serve_client(client.get());
        {
            const std::lock_guard lock(client_mutex_);
            client_fd_ = -1;
            client.reset();
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
        const long got = read_some(fd, buffer.get(), kReadChunk);
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
                write_all(fd, out);
                return line == "shutdown";
            } else {
                out.append(line).push_back('\n');
            }
            partial.clear();
        }
        if (!out.empty()) {
            if (!write_all(fd, out)) {
                return false;
            }
            out.clear();
        }
    }
}

}  // namespace oneline::bench
