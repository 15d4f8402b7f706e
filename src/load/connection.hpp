#pragma once

#include "net/address.hpp"
#include "net/socket.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace oneline::bench {

/// What a bounded operation of a Connection ended with.
enum class Io {
    ok,         ///< done
    timed_out,  ///< the time ran out first
    closed,     ///< the peer closed or reset the connection (or it failed)
};

/// A server's address, resolved once so that a connect loop does not pay for resolution.
using Endpoint = net::ResolvedAddress;

/// Where the load clients connect: "unix:PATH" for a Unix domain socket, else `address` (a host
/// name or an IPv4/IPv6 literal, bracketed or not) on TCP `port`. Throws oneline::Error with the
/// reason (unknown host; a Unix path that is empty, too long, or not supported on this system).
Endpoint resolve(const std::string& address, std::uint16_t port);

/// A connection that speaks the protocol's bytes directly, with no client library in the way: the
/// raw baseline of the load clients. Stands on the platform layer's socket calls (net/socket_io.hpp);
/// non-blocking underneath, every operation bounded by a timeout, so a run never hangs on it.
/// Move-only; closed by its destructor. One thread may send while another reads.
class Connection {
public:
    /// Connects to `server` within `timeout` (TCP_NODELAY on TCP). Throws oneline::Error naming it.
    Connection(const Endpoint& server, std::chrono::milliseconds timeout);

    /// Writes all of `bytes` within `timeout` (never SIGPIPE: a vanished peer is Io::closed).
    Io send_all(std::string_view bytes, std::chrono::milliseconds timeout);

    /// Reads the next line (without its 0x0A) within `timeout`; bytes after it stay buffered.
    Io read_line(std::string& line, std::chrono::milliseconds timeout);

    /// Appends whatever arrives first, at least one byte, to `out` within `timeout`.
    Io read_some(std::string& out, std::chrono::milliseconds timeout);

    /// Discards input until the peer closes; true when it did within `timeout`.
    bool wait_closed(std::chrono::milliseconds timeout);

    /// Sends end of stream and keeps reading.
    void shutdown_write() noexcept;

    /// Shuts both directions: a thread blocked in send_all() or a read returns Io::closed.
    void shutdown_both() noexcept;

private:
    Io fill(net::Deadline deadline);

    net::Socket socket_;
    std::string buffered_;
    bool closed_ = false;
};

}  // namespace oneline::bench
