#pragma once

/// \file
/// oneline::Client, a blocking client of a oneline server, and its configuration.

#include <oneline/errors.hpp>
#include <oneline/export.hpp>
#include <oneline/logger.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oneline {

/// Everything a Client is configured with. `address` and `port` are required.
struct ONELINE_EXPORT ClientConfig {
    /// IPv4 or IPv6 literal (bracketed or not: "::1", "[::1]") or host name of the server, or
    /// "unix:PATH" for a server listening on the Unix domain socket at PATH.
    std::string address;
    /// TCP port of the server, 0..65535; not needed, and ignored, with a "unix:PATH" address.
    /// Wider than a port so that a value out of range fails connect() instead of wrapping around.
    std::optional<std::int64_t> port;
    /// Receives log lines when `verbose` is on; when null they go to stdout.
    std::shared_ptr<Logger> logger;
    /// Log connects, disconnects and errors. Off: nothing is logged.
    bool verbose = false;
    /// A response longer than this many bytes (before its 0x0A) closes the connection.
    std::size_t max_line_length = 1024 * 1024;
    /// How long send() waits while the server takes none of a command (it stopped reading, e.g.
    /// because its responses go unread) before it closes the connection and throws. Counted from
    /// the last byte the server took, so a slow but steady server is not cut off. The default
    /// matches the server's own send timeout. Zero or negative: no waiting at all (a command that
    /// does not fit the socket buffer at once fails); milliseconds::max(): no limit. It also bounds
    /// writing the command of connect(), disconnect() and shutdown().
    std::chrono::milliseconds send_timeout{10000};
    /// The most bytes of received, unread responses send_batch() collects before it stops sending
    /// (and returns, so that recv() can take them): what a batch holds stays bounded whatever the
    /// server answers. recv() and send() never stop on it.
    std::size_t max_buffered_responses = 16 * 1024 * 1024;

    /// The names of the required parameters that are not set (empty when all are).
    std::vector<std::string> missing_parameters() const;
};

/// A blocking client of a oneline server. Not thread-safe: use one Client
/// from one thread at a time. Movable, not copyable (a moved-from Client may
/// only be assigned to or destroyed); the destructor closes the connection
/// without sending anything.
class ONELINE_EXPORT Client {
public:
    /// The default time connect() allows for connecting and the handshake.
    static constexpr std::chrono::milliseconds default_connect_timeout{3000};
    /// How long disconnect() and shutdown() wait for the server to close the connection by default.
    static constexpr std::chrono::milliseconds close_timeout{1000};

    /// A client that is not connected yet; nothing is checked or opened until connect(), which
    /// throws MissingParameters when `config` lacks the address or the port.
    explicit Client(ClientConfig config);
    ~Client();
    /// Takes over `other`'s connection and configuration; `other` may then only be assigned to or destroyed.
    Client(Client&& other) noexcept;
    /// Closes this client's connection (sending nothing), then takes over `other`'s.
    Client& operator=(Client&& other) noexcept;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Connects and confirms the connection with `ping` -> `pong`, all within
    /// `timeout`. Disconnects first when connected. Blocks.
    /// Throws MissingParameters, or Error with the reason: refused (absent
    /// server), Errc::server_busy, std::errc::timed_out (silent server),
    /// Errc::handshake_failed, Errc::unknown_host, std::errc::invalid_argument
    /// (port outside 0..65535).
    void connect(std::chrono::milliseconds timeout = default_connect_timeout);

    /// As connect(timeout), but keeps trying until `wait` has passed while the
    /// server is not there yet: refused (not listening), busy (serving another
    /// client), silent (no handshake answer within `timeout`) or closing the
    /// connection at once. Tries again after 50 ms, then twice as long each
    /// time up to 500 ms, never past `wait`; each attempt has `timeout`, so it
    /// returns or throws within `wait` + `timeout`. Other failures (unknown
    /// host, a wrong handshake answer, missing parameters) are thrown at once.
    /// When the time is up, throws the last attempt's Error. A zero `wait`
    /// tries once, exactly like connect(timeout).
    void connect(std::chrono::milliseconds timeout, std::chrono::milliseconds wait);

    /// True from a successful connect() until the connection is closed by
    /// either side (seen by send or recv) or by a send timeout.
    bool connected() const noexcept;

    /// Sends `command` plus 0x0A. Blocks until the socket has taken all of
    /// it, waiting at most ClientConfig::send_timeout for each further byte.
    /// Responses are not read meanwhile: a server that stops reading until
    /// its responses are read (backpressure) stalls a client that sends many
    /// commands without calling recv(). Returns true when written; false, and
    /// turns disconnected, when the server is gone. Throws
    /// Error(Errc::not_connected) when not connected, and
    /// Error(std::errc::timed_out), naming the server and the timeout, when
    /// the server took nothing for send_timeout; the connection is then
    /// closed, since part of the command may be on the wire.
    bool send(std::string_view command);

    /// The next response without its 0x0A (and one 0x0D before it), waiting
    /// up to `timeout`. std::nullopt when none came in time or the server
    /// closed the connection (then connected() is false). A partly received
    /// response is kept for the next call. Returns std::nullopt at once when
    /// not connected and no complete response is buffered.
    std::optional<std::string> recv(std::chrono::milliseconds timeout);
    /// As recv(timeout), into `response`, whose capacity is reused: no
    /// allocation per response once it has grown. True when a response came;
    /// false, leaving `response` as it was, when none came in time or the
    /// server closed the connection.
    bool recv(std::string& response, std::chrono::milliseconds timeout);

    /// Pipelining: sends `commands` in order, each plus 0x0A, packed into
    /// large writes (up to 256 KiB each, so a batch costs a few system calls,
    /// not one per command), and reads the responses that arrive meanwhile
    /// into the client's buffer, where recv() then returns them without
    /// waiting. Reading while writing means that a server that stops reading
    /// until its responses are read (backpressure) never stalls the batch.
    /// Bounded: once ClientConfig::max_buffered_responses bytes of responses
    /// are held, it finishes the command in progress and returns; take the
    /// responses with recv() and call again with the rest. (While it finishes
    /// that command it goes on reading, up to twice that limit: a server that
    /// stops reading until its responses are read takes the rest of the
    /// command only then.) Returns how many
    /// commands, from the front, were written whole: all of them, fewer when
    /// the buffer filled, or fewer with connected() false when the server
    /// closed the connection. Throws Error(Errc::not_connected) when not
    /// connected, and Error(std::errc::timed_out), closing the connection,
    /// when the server took nothing for ClientConfig::send_timeout. As with
    /// send(), a command containing 0x0A goes out as two commands.
    std::size_t send_batch(const std::vector<std::string>& commands);
    /// As send_batch() above, for commands held elsewhere.
    std::size_t send_batch(const std::vector<std::string_view>& commands);
    /// As send_batch() above, for a braced list: `send_batch({"cmd01", "junk"})`.
    std::size_t send_batch(std::initializer_list<std::string_view> commands);

    /// The connected socket (a file descriptor on POSIX, a SOCKET on
    /// Windows), -1 when not connected: for waiting on it together with other
    /// input in an event loop. Only wait on it: reading or writing it would
    /// break the framing. Responses already buffered (after send_batch() or
    /// a read that brought several) do not make it readable: take them with
    /// recv() before waiting.
    std::intptr_t native_handle() const noexcept;

    /// Sends `disconnect`, waits until the server closes the connection, and
    /// closes. Blocks at most `timeout` in all, writing the command included
    /// (which also gives up after ClientConfig::send_timeout without
    /// progress); responses arriving meanwhile are discarded. Waiting keeps
    /// the command from being lost to a reset. Returns false when the server
    /// did not take the command or kept the connection open within that
    /// time; never throws for it. Safe, and does nothing (returning true),
    /// when not connected.
    bool disconnect(std::chrono::milliseconds timeout = close_timeout);
    /// As disconnect(), with `shutdown`: the server stops.
    bool shutdown(std::chrono::milliseconds timeout = close_timeout);

private:
    class ONELINE_NO_EXPORT Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace oneline
