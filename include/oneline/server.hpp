#pragma once

/// \file
/// oneline::Server, which serves one client at a time, its configuration and its callbacks.

#include <oneline/decoding.hpp>
#include <oneline/errors.hpp>
#include <oneline/export.hpp>
#include <oneline/faults.hpp>
#include <oneline/logger.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oneline {

/// Called for every command that is not a built-in (`ping`, `disconnect`,
/// `shutdown`), on the server's thread. `command` is valid only during the
/// call. `is_invalid` is true when undecodable bytes were dropped from it.
/// Answer with zero or more Server::send calls. An exception it throws is
/// logged and serving goes on; std::bad_alloc drops the client instead (the
/// memory for its data ran out), and serving goes on with the next one.
using Callback = std::function<void(std::string_view command, bool is_invalid)>;

/// What a ReplyCallback answers through: the client that sent the command.
/// Valid only during the call it is handed to, and only on the thread that
/// makes the call (the server's: its responses go straight into the loop's
/// own buffer, with no lock); another thread answers through Server::send.
/// Not copyable. The server makes the one it hands over; a test of a callback
/// may derive its own.
class ONELINE_EXPORT Reply {
public:
    /// Queues `response` plus 0x0A for the client that sent the command, in
    /// order with the server's other responses to it. Returns false, sending
    /// nothing, when that client is gone (dropped for too many pending
    /// responses, for instance).
    virtual bool send(std::string_view response) = 0;

    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;

protected:
    Reply() = default;
    ~Reply() = default;
};

/// Called like Callback, with a Reply to answer through, so that the callback
/// needs no pointer to its Server. Set as ServerConfig::reply_callback.
using ReplyCallback = std::function<void(std::string_view command, bool is_invalid, Reply& reply)>;

/// What one Server::serve_once call leaves the server in.
enum class ServeStatus {
    serving,  ///< serving goes on: call serve_once again
    stopped,  ///< a client sent `shutdown`, or stop() or request_stop() was called; the run is over
};

/// Everything a Server is configured with. `address`, `port` and `callback`
/// are required; the rest have defaults.
struct ONELINE_EXPORT ServerConfig {
    /// IPv4 or IPv6 literal (bracketed or not: "::1", "[::1]") or host name to listen on (e.g.
    /// "127.0.0.1", "localhost"), or "unix:PATH" for a Unix domain socket. A name is listened on at
    /// every address it resolves to, all on one port (see Server::endpoints()). A "unix:PATH"
    /// socket file is created by the server at PATH (see unix_mode) and removed when it stops; a
    /// stale socket file there is replaced; one a server listens on fails the start ("in use"); a
    /// path that is not a socket is an error and left alone.
    std::string address;
    /// TCP port, 0..65535; 0 binds an ephemeral port (read it back with Server::port()). Wider
    /// than a port so that a value out of range fails listen() instead of wrapping around. Not
    /// needed, and ignored, with a "unix:PATH" address.
    std::optional<std::int64_t> port;
    /// Handler for every non-built-in command. Set this or `reply_callback`.
    Callback callback;
    /// Handler for every non-built-in command that answers through the Reply it
    /// is handed. Set this or `callback`, not both (starting fails then).
    ReplyCallback reply_callback;
    /// Receives log lines when `verbose` is on; when null they go to stdout.
    std::shared_ptr<Logger> logger;
    /// Log connections, commands dropped, errors, and each built-in command (`ping` as
    /// "'ping' -> 1 response (built-in)", `disconnect` and `shutdown` by the close they make).
    /// Off: nothing is logged.
    bool verbose = false;

    /// A command longer than this many bytes (before its 0x0A) drops the client.
    std::size_t max_line_length = 1024 * 1024;
    /// Keep a 0x0D right before the 0x0A instead of dropping it.
    bool keep_cr = false;
    /// How command bytes are decoded; see Decoding.
    Decoding decoding = Decoding::ascii;
    /// Drop a client that sends nothing for this long; zero means never.
    std::chrono::milliseconds idle_timeout{0};
    /// Drop a client whose unread responses exceed this many bytes.
    std::size_t max_pending_output = 16 * 1024 * 1024;
    /// Drop a client that, with responses pending, reads none of them for this long.
    std::chrono::milliseconds send_timeout{10000};
    /// Drop a client that leaves data the server sent unacknowledged for this long (TCP user
    /// timeout; it also bounds keepalive): a client whose host vanished frees the slot within
    /// about this long even while responses are in flight. Rounded to the platform's unit; zero
    /// leaves the system's default (on Linux about 15 minutes of retransmissions).
    std::chrono::milliseconds user_timeout{120000};
    /// The peers served: IPv4 and IPv6 addresses and CIDR networks ("127.0.0.1", "10.0.0.0/8",
    /// "fd00::/8"); an IPv4-mapped IPv6 peer matches the IPv4 entries. Any other peer is closed at
    /// once, unread, and logged, as a second client is. Empty (the default) serves every peer.
    /// Checked by listen(), which throws Error(std::errc::invalid_argument) naming a bad entry.
    std::vector<std::string> allow;
    /// The permission bits of a "unix:PATH" socket file (at most 0777); the default lets only its
    /// owner connect. The file never has a wider mode than this, not even while it is created.
    unsigned unix_mode = 0600;
    /// Misbehaviour on purpose (late, lost or cut responses, a close, a reset or a stall), for
    /// testing clients; all off by default. Checked by listen(), which throws
    /// Error(std::errc::invalid_argument) with Faults::problem().
    Faults faults;

    /// The names of the required parameters that are not set (empty when all are);
    /// "callback" when neither `callback` nor `reply_callback` is.
    std::vector<std::string> missing_parameters() const;
};

/// A single-client, line-feed-terminated TCP command server.
///
/// Serves one client at a time: it answers `ping` with `pong`, closes the
/// connection on `disconnect`, stops on `shutdown`, and passes every other
/// command to the callback. Run it in a background thread (start/stop), in
/// the caller's thread (serve_forever), or one step at a time from the host's
/// own loop (serve_once). Not copyable or movable. All member functions are
/// thread-safe; the destructor stops the server and joins its thread.
class ONELINE_EXPORT Server {
public:
    /// A server that neither listens nor serves yet; `config` is checked when it starts listening,
    /// which throws MissingParameters when the address, the port or the callback is not set.
    explicit Server(ServerConfig config);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens, without serving yet; afterwards port() is known.
    /// Does nothing when already listening.
    /// Throws MissingParameters naming every missing required parameter, or
    /// Error with the reason when the address cannot be resolved or bound (naming the address
    /// that failed), and Error(std::errc::invalid_argument) when the port is outside 0..65535 or
    /// an allow-list entry is not an address or network.
    void listen();

    /// Listens (see listen()) and serves in a background thread; returns once
    /// the server is accepting connections. Throws as listen() does,
    /// Error(std::errc::operation_in_progress) when it is already serving, and
    /// Error with the reason when the thread cannot be created; a start that
    /// throws leaves the server as it was before (listening only if it was).
    void start();

    /// Listens (see listen()) and serves in the calling thread until a client
    /// sends `shutdown` or stop() is called. Throws as start() does, and
    /// Error with the reason when serving fails (the system refuses to wait
    /// for events); the server is stopped then, and can be started again.
    void serve_forever();

    /// Serves one step in the calling thread, without a thread of its own: the
    /// host's loop calls it again and again. The first call listens (throwing
    /// as listen() does, and Error(std::errc::invalid_argument) when both
    /// callbacks are set) and begins serving: running() turns true. Each call
    /// waits at most `timeout` (zero: never blocks) for work (a client's data,
    /// a newcomer, a wake from send() or stop(), a deadline such as the idle
    /// timeout), handles everything that is ready, writes the responses it can,
    /// and returns. Every rule of the protocol holds as in the other modes;
    /// only a `disconnect` or `shutdown` may block, for at most `send_timeout`,
    /// to deliver the responses owed before the close.
    /// Returns ServeStatus::stopped on the call that ends the run (a client's
    /// `shutdown`, stop() or request_stop(), seen during or between calls);
    /// running() is false then and the next call begins a new run (port 0: on
    /// a new port). Throws Error(std::errc::operation_in_progress) while
    /// start() or serve_forever() serves, or when called from the callback;
    /// start() and serve_forever() throw the same while a run of serve_once is
    /// not over. Calls from several threads take turns. Throws Error with the
    /// reason when serving fails (the run is over then, as for serve_forever()).
    ServeStatus serve_once(std::chrono::milliseconds timeout);

    /// A descriptor for the host's own wait (POSIX: put it in a poll, select,
    /// epoll or kqueue set for input): it is readable whenever serve_once has
    /// work: a client's data or room for its responses, a newcomer, a wake
    /// from send() or stop() in another thread or from request_stop(),
    /// commands held back by backpressure that can run now, a deadline that
    /// has passed (idle or send timeout), and before the first serve_once
    /// call. So a host may sleep in its own wait without a timeout and call
    /// serve_once(0) when it wakes. Kept up to date by serve_once only: call
    /// it from the thread that calls serve_once. Made on the first call and
    /// owned by the server (never close it). Linux: an epoll descriptor;
    /// macOS and the BSDs: a kqueue. Throws Error(std::errc::function_not_supported)
    /// where the platform has neither (Windows): call serve_once with a timeout
    /// there. Throws Error when the system has no room for it.
    int wait_descriptor();

    /// Stops serving: closes the client and the listening socket, wakes a
    /// blocked wait, joins the background thread (unless called from it).
    /// Safe from any thread, the callback included; idempotent; prompt.
    /// A stopped server can be started again. On a server that listens but
    /// does not serve yet, stop() closes the listening socket; a later
    /// start() or serve_forever() listens anew (port 0: on a new port).
    /// A serve_once run that stop() ends between two calls is reported by
    /// the next call (ServeStatus::stopped).
    void stop();

    /// Asks the serving loop to stop, as a client's `shutdown` does, without
    /// waiting for it: only sets a flag and signals the wake event (an eventfd
    /// or pipe write on POSIX), so it is async-signal-safe and may be called
    /// from a signal handler; it keeps errno. serve_forever() returns, a
    /// serve_once run ends (ServeStatus::stopped), a start() thread ends (call
    /// stop() or wait_until_stopped() to see it). No effect on a server that
    /// does not serve: a request made before serving begins is forgotten.
    void request_stop() noexcept;

    /// Blocks until the server is serving, or the timeout passes; says which.
    bool wait_until_running(std::chrono::milliseconds timeout) const;
    /// Blocks until the server is not serving, or the timeout passes; says which.
    bool wait_until_stopped(std::chrono::milliseconds timeout) const;

    /// True while the server accepts and serves clients. Turns false before
    /// the connection of a client that sent `shutdown` is closed, so once the
    /// client sees the close the server can be started again at once.
    bool running() const;
    /// Why the last run ended by itself, when serving failed (see
    /// serve_forever()); std::nullopt when it ended by `shutdown` or stop(),
    /// or is still running. For a server run by start(), whose thread has no
    /// caller to throw to. Cleared when serving starts again.
    std::optional<Error> failure() const;
    /// True while a client is connected.
    bool client_connected() const;
    /// The port bound by listen(), or 0 when not listening or listening on a Unix domain socket.
    std::uint16_t port() const;
    /// Each address listened on, as a client names it back ("127.0.0.1:5001", "[::1]:5001",
    /// "unix:/run/app.sock"); empty when not listening.
    std::vector<std::string> endpoints() const;

    /// Queues `response` plus 0x0A for the connected client. Responses are
    /// written in the order they were sent, no later than when the server
    /// next waits for input. Safe from the callback and from any thread.
    /// Returns false, sending nothing, when no client is connected.
    /// From another thread it goes to whichever client is connected then,
    /// even one that has just connected and awaits the `pong` of its
    /// handshake: the protocol has the server speak only in answer to a
    /// command, so send from other threads only what a command asked for.
    /// A client that half-closes is kept until the responses queued by then
    /// are written; an answer another thread sends after that finds it gone.
    bool send(std::string_view response);

private:
    class ONELINE_NO_EXPORT Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace oneline
