#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace oneline::bench {

/// Sizes of one benchmark run.
struct Sizes {
    std::size_t round_trips = 20'000;
    std::size_t pipelined = 1'000'000;
    std::size_t window = 1'000;  ///< oneline::Client pipelining: commands sent before reading answers
    std::size_t churn = 2'000;
    std::size_t flood_bytes = 200 * 1024 * 1024;
    std::size_t max_line_length = 1024 * 1024;
};

/// What is measured, one row of the table each.
enum class Metric { rtt_median, rtt_p99, pipelined, churn, flood_memory, pipelined_memory };
inline constexpr std::size_t kMetricCount = 6;

/// Who is measured, one column each: the raw baseline (raw client, RawServer),
/// oneline::Server driven by the raw load client, and by oneline::Client.
enum class Setup { raw_baseline, oneline_raw_client, oneline_client };
inline constexpr std::size_t kSetupCount = 3;

/// One run's figures: [metric][setup]; NaN where a setup is not measured.
/// Units: microseconds (RTT), per second (pipelined, churn), KiB (memory).
using RunFigures = std::array<std::array<double, kSetupCount>, kMetricCount>;

/// Runs every measurement once. `self` is the path of this program, re-executed
/// with --serve for the servers whose memory is measured in their own process.
/// Throws std::runtime_error when an answer is wrong or missing.
RunFigures run_suite(const Sizes& sizes, const std::string& self);

/// Child mode: serves `kind` ("oneline" or "raw") on 127.0.0.1, prints
/// "port N" on stdout, returns after a `shutdown` command.
void serve_child(const std::string& kind, std::size_t max_line_length);

}  // namespace oneline::bench
