#pragma once

#include "suite.hpp"

#include <array>
#include <cstddef>
#include <cstdio>
#include <vector>

namespace oneline::bench {

/// How the same echo oneline::Server is run for the single-step comparison: by start() (its own
/// thread, the reference), by a host loop calling serve_once with a timeout, and by a host loop
/// that sleeps in its own poll() on wait_descriptor() and then calls serve_once(0).
enum class StepMode { threaded, serve_once, wait_descriptor };
inline constexpr std::size_t kStepModeCount = 3;

/// One run's figures, [mode]: round trip median and p99 (us), pipelined (commands/s).
struct SteppingFigures {
    std::array<double, kStepModeCount> rtt_median{};
    std::array<double, kStepModeCount> rtt_p99{};
    std::array<double, kStepModeCount> pipelined{};
};

/// Measures every mode with the raw load client (sizes.round_trips, sizes.pipelined). Throws
/// std::runtime_error when an answer is wrong or missing, or when a host loop fails.
SteppingFigures run_stepping(const Sizes& sizes);

/// Prints the medians over `runs` and each mode's ratio to the threaded server (median of the
/// per-run ratios).
void print_stepping(std::FILE* out, const std::vector<SteppingFigures>& runs);

}  // namespace oneline::bench
