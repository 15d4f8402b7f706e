#pragma once

#include "workload.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace oneline::bench {

/// The same load as raw_load.hpp, driven through oneline::Client, so the
/// figures include what a user of the library pays on the client side too.
/// Every answer is checked; std::runtime_error (or oneline::Error) at the first wrong or missing one.

/// `count` sequential command/answer pairs; the round-trip time of each.
std::vector<std::chrono::nanoseconds> client_round_trips(const std::string& host, std::uint16_t port,
                                                         const Workload& workload, std::size_t count);

/// `count` commands through Client::send_batch, `window` at a time, back to
/// back; the answers are taken from the client's buffer as they arrive.
/// Returns commands per second.
double client_pipelined(const std::string& host, std::uint16_t port, const Workload& workload, std::size_t count,
                        std::size_t window);

/// `cycles` times Client::connect() (which does the ping/pong handshake) and
/// Client::disconnect(). Returns cycles per second.
double client_churn(const std::string& host, std::uint16_t port, std::size_t cycles);

}  // namespace oneline::bench
