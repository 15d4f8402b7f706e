#pragma once

#include <array>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace oneline::bench {

/// The servers of the serving-path workload, one column each; every one is a process of its own,
/// driven from this one: the raw baseline (RawServer), the library's echo server (oneline::Server
/// with a reply callback), and the tool as a user starts it, `oneline server --echo`, without and
/// with `-v`.
enum class Served { raw_baseline, library, tool, tool_verbose };
inline constexpr std::size_t kServedCount = 4;

/// Sizes of the serving-path workload; 0 leaves a measurement out.
struct ServingSizes {
    std::size_t per_command = 200'000;  ///< `x` commands pipelined by a writer that sends each on its own
    std::size_t blocks = 2'000'000;     ///< `x` commands pipelined by a writer that sends 64 KiB at a time
    std::size_t round_trips = 5'000;    ///< sequential command/answer pairs
    std::size_t rounds = 7;             ///< interleaved rounds; the table shows medians
};

/// One server's figures in one round; NaN where not measured. Throughput in commands per
/// second, round trip in microseconds, the server's CPU time in nanoseconds per command.
struct ServingFigures {
    static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    double per_command = kNone;
    double per_command_cpu = kNone;
    double blocks = kNone;
    double blocks_cpu = kNone;
    double rtt_median = kNone;
    double rtt_cpu = kNone;
};

/// One round: [Served].
using ServingRound = std::array<ServingFigures, kServedCount>;

/// Starts each server in `served` once (`self --serve raw`, `self --serve oneline`, `tool server
/// --echo [-v]`), then measures them in `sizes.rounds` rounds, each round taking them in turn
/// (the first one moves on by one each round), so that a change in the machine's load falls on
/// all of them alike. Throws std::runtime_error when an answer is wrong or missing.
std::vector<ServingRound> run_serving(const ServingSizes& sizes, const std::vector<Served>& served,
                                      const std::string& self, const std::string& tool);

/// Prints the medians of `rounds`, each server's ratio to the raw baseline (the median of the
/// per-round ratios), the tool's ratios round by round, and the goals. True when all goals are met.
bool print_serving(std::FILE* out, const std::vector<ServingRound>& rounds, const ServingSizes& sizes);

/// The thresholds of the guard.
struct CheckThresholds {
    double throughput = 0.1;  ///< fail when the tool's pipelined throughput ratio (64 KiB writes) is below
    double cpu = 3.0;         ///< fail when its server CPU per command ratio (64 KiB writes) is above
};

/// The guard (`--check`): the tool against the raw baseline, pipelined with 64 KiB writes (where
/// the server's path from a command to its response decides the throughput), `sizes.rounds`
/// interleaved rounds. Fails when a median ratio crosses its threshold. Prints each round and
/// the verdict; returns true when it passes.
bool check_serving(std::FILE* out, const ServingSizes& sizes, const std::string& self, const std::string& tool,
                   const CheckThresholds& thresholds);

}  // namespace oneline::bench
