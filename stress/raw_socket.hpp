#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace oneline::stress {

/// What a bounded socket operation ended with.
enum class Io {
    ok,         ///< done
    timed_out,  ///< the time ran out first
    closed,     ///< the peer closed or reset the connection (or it failed)
};

/// A TCP connection to a loopback port with byte-level control, for driving
/// the server the way a careless or hostile client would. Owns one
/// descriptor; move-only; every operation is non-blocking underneath and
/// bounded by a timeout, so a test can never hang on it.
class RawSocket {
public:
    RawSocket() = default;
    ~RawSocket();
    RawSocket(RawSocket&& other) noexcept;
    RawSocket& operator=(RawSocket&& other) noexcept;
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    /// Connects to 127.0.0.1:`port` within `timeout`. `receive_buffer`, when
    /// non-zero, is set as SO_RCVBUF before connecting (a small window makes
    /// a client that never reads fill up fast). Returns an invalid socket
    /// when refused or timed out.
    static RawSocket connect_to(std::uint16_t port, std::chrono::milliseconds timeout, int receive_buffer = 0);

    bool valid() const noexcept { return fd_ >= 0; }
    int fd() const noexcept { return fd_; }

    /// Writes all of `bytes` within `timeout` (MSG_NOSIGNAL: a vanished peer is a return value).
    Io send_all(std::string_view bytes, std::chrono::milliseconds timeout);

    /// Reads the next line (without its 0x0A) within `timeout`. Bytes after
    /// it stay buffered for the next call.
    Io read_line(std::string& line, std::chrono::milliseconds timeout);

    /// Reads whatever arrives first, at least one byte, within `timeout`; appends it to `out`.
    Io read_some(std::string& out, std::chrono::milliseconds timeout);

    /// Discards input until the peer closes; `timed_out` when it has not within `timeout`.
    Io wait_closed(std::chrono::milliseconds timeout);

    /// Makes close() send a reset (SO_LINGER with a zero time) instead of a FIN.
    void reset_on_close();

    /// Closes now; a moved-from or closed socket does nothing.
    void close() noexcept;

private:
    explicit RawSocket(int fd) noexcept : fd_(fd) {}
    Io fill(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string buffered_;
};

}  // namespace oneline::stress
