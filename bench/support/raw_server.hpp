#pragma once

#include "test/support/raw_listener.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace oneline::bench {

/// The baseline: about the least a blocking loopback server can do for the
/// same protocol. One client at a time; a buffered read loop that splits
/// lines with memchr; `ping` -> `pong`, `disconnect`, `shutdown` built in;
/// every other command echoed once; all answers to one read coalesced into
/// one write. A line longer than `max_line_length` drops the client. No
/// decoding checks, no logging, no timeouts, no queue shared with other threads.
class RawServer {
public:
    /// Listens on 127.0.0.1 with an ephemeral port (see port()). Throws on failure.
    explicit RawServer(std::size_t max_line_length = 1024 * 1024);
    ~RawServer();
    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    /// Serves in a background thread until stop() or a `shutdown` command.
    void start();
    /// Serves in the calling thread until a `shutdown` command or stop().
    void serve_forever();
    /// Wakes and ends the serving loop (from any thread) and joins the background thread.
    void stop();

private:
    /// Serves one connection; true when it asked for `shutdown`.
    bool serve_client(int fd);

    std::size_t max_line_length_;
    test::RawListener listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::mutex client_mutex_;  // guards client_fd_ against stop() racing a close
    int client_fd_ = -1;
    std::thread thread_;
};

}  // namespace oneline::bench
