#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace oneline::bench {

/// Owns one socket descriptor and closes it when destroyed. Move-only.
/// Deliberately independent of the library, so the raw baseline shares no code with it.
class Socket {
public:
    Socket() noexcept = default;
    explicit Socket(int fd) noexcept : fd_(fd) {}
    ~Socket() { reset(); }
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept;
    /// Closes the descriptor held (never retried on EINTR) and takes `fd`.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

/// A resolved server address, so that a connect loop does not pay for name resolution.
struct Endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    std::string name;  ///< "host:port", for messages
};

/// Resolves `host`:`port` to its first TCP address. Throws std::runtime_error.
Endpoint resolve(const std::string& host, std::uint16_t port);

/// A blocking TCP connection to `endpoint` with TCP_NODELAY, and reads and
/// writes that give up after `timeout` (SO_RCVTIMEO/SO_SNDTIMEO) instead of
/// hanging on a broken server. Throws std::runtime_error with the reason.
Socket connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout);

/// A blocking listening socket on 127.0.0.1, port 0 (ephemeral), close-on-exec.
Socket listen_loopback();

/// The local port a socket is bound to.
std::uint16_t local_port(int fd);

/// Sets TCP_NODELAY so a short packet is not held back waiting for an acknowledgement.
void set_no_delay(int fd) noexcept;

/// Writes all of `bytes` (blocking, no SIGPIPE). False when the connection failed or timed out.
bool write_all(int fd, std::string_view bytes) noexcept;

/// One blocking read, retried on EINTR: the count, 0 at end of stream, -1 on error or timeout.
long read_some(int fd, char* buffer, std::size_t size) noexcept;

}  // namespace oneline::bench
