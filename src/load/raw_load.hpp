#pragma once

#include "connection.hpp"
#include "workload.hpp"

#include <chrono>
#include <cstddef>
#include <vector>

namespace oneline::bench {

/// How long one read or write of a load client may block before the run is
/// declared broken (a lost answer must fail the run, not hang it).
inline constexpr std::chrono::milliseconds kIoTimeout{10000};

/// Load clients that speak the protocol over raw connections (Connection), so
/// that a server is measured without any client library in the way. Each one
/// checks every answer and throws std::runtime_error at the first wrong,
/// missing or late one. Each ends its connection with `disconnect`.

/// Sends `count` commands one at a time, each after the previous answer came;
/// returns the round-trip time of each.
std::vector<std::chrono::nanoseconds> raw_round_trips(const Endpoint& server, const Workload& workload,
                                                      std::size_t count);

/// How a pipelined writer hands its commands to the socket.
enum class Writes {
    blocks,       ///< as much as a block of the workload holds (about 64 KiB) per write
    per_command,  ///< one write per command, as a program that sends each command as it has it
};

/// Writes `count` commands from one thread as fast as the socket takes them
/// while another thread reads and checks the answers; returns commands per second.
double raw_pipelined(const Endpoint& server, const Workload& workload, std::size_t count,
                     Writes writes = Writes::blocks);

/// `cycles` times: connect, `ping` -> `pong`, `disconnect`, close. Returns cycles per second.
double raw_churn(const Endpoint& server, std::size_t cycles);

/// What a flood did.
struct FloodResult {
    std::size_t bytes_sent = 0;
    std::size_t drops = 0;  ///< connections the server closed on us
};

/// Streams `total_bytes` without a line feed, reconnecting whenever the server
/// drops the connection, then checks the server still answers `ping`.
/// Throws when the server neither reads nor drops for kIoTimeout.
FloodResult raw_flood(const Endpoint& server, std::size_t total_bytes);

}  // namespace oneline::bench
