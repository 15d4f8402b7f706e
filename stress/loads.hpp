#pragma once

#include "stress_server.hpp"
#include "test/support/raw_socket.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace oneline::test {
class VethLink;
}  // namespace oneline::test

namespace oneline::stress {

using test::Io;
using test::RawSocket;

/// Shared between a load and whoever watches it from another thread.
struct LoadControl {
    /// Units done so far (cycles, connections, lines, ...), for a watcher that waits for the load to be under way.
    std::atomic<std::size_t> progress{0};
    /// Set before the server is stopped on purpose: from then on a failing
    /// operation ends the load quietly instead of counting as a failure.
    std::atomic<bool> halting{false};
};

/// What a load did, and what went wrong.
struct LoadReport {
    std::size_t units = 0;           ///< cycles, connections, lines or responses, as the load counts them
    std::size_t bytes = 0;           ///< bytes sent to the server
    std::size_t bytes_received = 0;  ///< response bytes received, where the load counts them
    std::size_t refused = 0;         ///< connections the server closed at once (still busy with the previous one)
    long long worst_ms = 0;          ///< the load's slowest step, as it defines it
    std::size_t side_units = 0;      ///< responses sent from a second thread
    std::size_t most_bytes_per_connection = 0;  ///< the most bytes one connection took before it was dropped
    bool interrupted = false;                   ///< ended early because the server was being stopped
    std::size_t failure_count = 0;
    std::vector<std::string> failures;  ///< the first few failures, described

    /// Notes a failure (or, while halting, an interruption). True when the load should end now.
    bool fail(const LoadControl& control, std::string what);
};

/// A load: drives `server` with `count` units of one kind of traffic. Never
/// blocks for long: every socket operation has a timeout.
using Load = LoadReport (*)(StressServer& server, std::size_t count, LoadControl& control);

/// Connects to the server's address and port within `timeout` (see RawSocket::connect_to).
RawSocket connect_to_server(const StressServer& server, std::chrono::milliseconds timeout, int receive_buffer = 0);

/// Connects and confirms with `ping` -> `pong` that the server serves this
/// connection, retrying (and counting in `report.refused`) while it closes
/// new connections because the previous client is not cleaned up yet.
/// Returns an invalid socket, with the failure noted, when it cannot.
RawSocket connect_served(StressServer& server, LoadControl& control, LoadReport& report, int receive_buffer = 0);

// Connections (loads_connections.cpp).
/// oneline::Client connect / ping / disconnect cycles.
LoadReport connect_ping_disconnect(StressServer& server, std::size_t cycles, LoadControl& control);
/// Clients that close without `disconnect`: odd ones in the middle of a command.
LoadReport abrupt_closes(StressServer& server, std::size_t closes, LoadControl& control);
/// Clients that reset the connection (SO_LINGER 0) while a 1 MiB reply is being written to them.
LoadReport resets_while_writing(StressServer& server, std::size_t resets, LoadControl& control);
/// Rounds of 20 clients connecting at once: exactly one is served, the others are closed promptly.
LoadReport concurrent_connects(StressServer& server, std::size_t rounds, LoadControl& control);

// Hostile input (loads_input.cpp).
/// A stream of `bytes` bytes without a line feed, over as many connections as the line limit takes.
LoadReport endless_line(StressServer& server, std::size_t bytes, LoadControl& control);
/// `bytes` bytes of `ping` commands, one byte every 10 ms.
LoadReport slow_client(StressServer& server, std::size_t bytes, LoadControl& control);
/// The server limits never_reads needs: little pending output, a short send timeout.
StressServer::Tweak never_reads_limits();
/// Clients that ask for replies and never read them; the server must drop each.
LoadReport never_reads(StressServer& server, std::size_t clients, LoadControl& control);
/// `lines` lines of random bytes, NULs, lone CRs, 0xFF runs, truncated and whole UTF-8, checked
/// against what the callback received in the server's decoding mode.
LoadReport hostile_bytes_ascii(StressServer& server, std::size_t lines, LoadControl& control);
LoadReport hostile_bytes_utf8(StressServer& server, std::size_t lines, LoadControl& control);
/// The decoding mode hostile_bytes_utf8 needs.
StressServer::Tweak utf8_decoding();

// Callbacks (loads_callbacks.cpp).
/// `throw` commands, each followed by a `ping` that must still be answered.
LoadReport throwing_callback(StressServer& server, std::size_t commands, LoadControl& control);
/// `sleep 5` commands, pipelined: every `slept` arrives, in order.
LoadReport sleeping_callback(StressServer& server, std::size_t commands, LoadControl& control);
/// `burst 1000` commands: a thousand sends per command, all delivered in order.
LoadReport bursting_callback(StressServer& server, std::size_t commands, LoadControl& control);
/// `echo` round trips while another thread calls Server::send as fast as it can.
LoadReport second_thread_send(StressServer& server, std::size_t commands, LoadControl& control);

// Responses owed (loads_responses.cpp).
/// Commands in each burst of half_close_after_burst, and the bytes of each response (0x0A not counted).
inline constexpr std::size_t kBurstCommands = 2000;
inline constexpr std::size_t kBurstResponseBytes = 4096;
/// Rounds of a burst of kBurstCommands commands answered with kBurstResponseBytes each, written
/// at once, then a half-close (FIN); every response must arrive, in order, before the server's close.
LoadReport half_close_after_burst(StressServer& server, std::size_t rounds, LoadControl& control);
/// The bytes of each response of pipelined_large_responses (0x0A not counted).
inline constexpr std::size_t kLargeResponseBytes = 64 * 1024;
/// `commands` commands answered with kLargeResponseBytes each, written in one go by one thread
/// while another reads: backpressure must slow the client down, every response arrive, in order.
LoadReport pipelined_large_responses(StressServer& server, std::size_t commands, LoadControl& control);

// A vanishing peer (loads_vanish.cpp).
/// The user timeout the server of vanishing_peers has.
inline constexpr std::chrono::milliseconds kVanishUserTimeout{1000};
/// The server vanishing_peers needs: on `link`'s server address, with the user timeout above and
/// a send timeout too long to free the slot before it. Start it on the server's side of `link`.
StressServer::Tweak vanishing_peer_limits(const test::VethLink& link);
/// Rounds of a peer on the far side of `link` that asks for 16 MiB of responses, reads none, and
/// vanishes (its link taken down): the server must free the slot (worst_ms: the longest it stayed
/// taken) and serve the next client. A client that connects while the peer is there (on the
/// server's side, like every other client of this load) is refused.
LoadReport vanishing_peers(StressServer& server, const test::VethLink& link, std::size_t rounds, LoadControl& control);

}  // namespace oneline::stress
