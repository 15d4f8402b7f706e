#pragma once

#include "test/support/native_socket.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oneline::test {

/// What a bounded socket operation ended with.
enum class Io {
    ok,         ///< done
    timed_out,  ///< the time ran out first
    closed,     ///< the peer closed or reset the connection (or it failed)
};

/// A TCP connection with byte-level control, for tests and the benchmark to
/// talk to a server (or play one) exactly as a careful, careless or hostile
/// peer would. Owns one descriptor; move-only; closed by its destructor.
/// Sockets it opens are non-blocking underneath and every operation is
/// bounded by a timeout, so a caller can never hang on it. Shares no code
/// with the oneline library, so it can check the library from outside.
/// One thread may send while another reads; nothing else is thread-safe.
class RawSocket {
public:
    /// How long the shorthand forms below wait.
    static constexpr std::chrono::milliseconds kDefaultTimeout{5000};

    /// An invalid socket (see valid()).
    RawSocket() = default;
    ~RawSocket();
    RawSocket(RawSocket&& other) noexcept;
    RawSocket& operator=(RawSocket&& other) noexcept;
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    /// The operating system's socket: a descriptor on POSIX, a SOCKET on Windows.
    using Handle = native::Handle;

    /// Takes ownership of `fd` as it is (blocking or not; on Windows it must be non-blocking for
    /// the timeouts to hold); native::kNoHandle (-1 on POSIX) gives an invalid socket.
    static RawSocket adopt(Handle fd) noexcept;

    /// Connects to `address` within `timeout`, with TCP_NODELAY. `receive_buffer`,
    /// when non-zero, is set as SO_RCVBUF before connecting (a small window
    /// makes a client that never reads fill up fast). On failure the socket
    /// is invalid and error() says why.
    static RawSocket connect_to(const sockaddr& address, socklen_t length, std::chrono::milliseconds timeout,
                                int receive_buffer = 0);

    /// connect_to() 127.0.0.1:`port`.
    static RawSocket connect_to(std::uint16_t port, std::chrono::milliseconds timeout, int receive_buffer = 0);

    /// connect_to() `host` (a numeric IPv4 or IPv6 address) on `port` within
    /// kDefaultTimeout. Throws std::system_error when it cannot.
    static RawSocket connect(std::uint16_t port, const std::string& host = "127.0.0.1");

    bool valid() const noexcept { return fd_ != native::kNoHandle; }
    Handle fd() const noexcept { return fd_; }
    /// The errno value that made connect_to() fail (Winsock's codes translated); 0 otherwise.
    int error() const noexcept { return error_; }

    /// Writes all of `bytes` within `timeout` (never SIGPIPE: a vanished peer is a return value).
    Io send_all(std::string_view bytes, std::chrono::milliseconds timeout);
    /// send_all() within kDefaultTimeout; true when every byte went out.
    bool send_all(std::string_view bytes) { return send_all(bytes, kDefaultTimeout) == Io::ok; }

    /// Reads the next line (without its 0x0A) within `timeout`. Bytes after
    /// it stay buffered for the next call.
    Io read_line(std::string& line, std::chrono::milliseconds timeout);
    /// The next line, or std::nullopt when none came within `timeout` or the peer closed (see closed()).
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = kDefaultTimeout);

    /// Reads whatever arrives first, at least one byte, within `timeout`; appends it to `out`.
    Io read_some(std::string& out, std::chrono::milliseconds timeout);

    /// Discards input until the peer closes or resets; true when it did within `timeout`.
    bool wait_closed(std::chrono::milliseconds timeout = kDefaultTimeout);

    /// True once a read saw end of stream, a reset or a failure.
    bool closed() const noexcept { return closed_; }

    /// True once a read saw the connection reset or failing, not an orderly end of stream.
    bool broken() const noexcept { return broken_; }

    /// Every byte received and not yet returned.
    const std::string& buffered() const noexcept { return buffered_; }

    /// Sends every write at once, as its own segment, so a caller decides how bytes are split.
    void set_no_delay() noexcept;

    /// Makes close() send a reset (SO_LINGER with a zero time) instead of an end of stream.
    void reset_on_close() noexcept;

    /// Closes with a reset at once (reset_on_close(), then close()).
    void reset_connection() noexcept;

    /// Stops sending (end of stream for the peer) but keeps reading.
    void shutdown_write() noexcept;

    /// Closes now (never retried on EINTR); a moved-from or closed socket does nothing.
    void close() noexcept;

private:
    explicit RawSocket(Handle fd) noexcept : fd_(fd) {}
    Io fill(std::chrono::steady_clock::time_point deadline);

    Handle fd_ = native::kNoHandle;
    int error_ = 0;
    bool closed_ = false;
    bool broken_ = false;
    std::string buffered_;
};

}  // namespace oneline::test
