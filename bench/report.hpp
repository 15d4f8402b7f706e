#pragma once

#include "suite.hpp"

#include <cstdio>
#include <vector>

namespace oneline::bench {

/// Prints one line of ratios for a run (used between runs in repeat mode).
void print_run_line(std::FILE* out, std::size_t index, const RunFigures& figures);

/// Prints the table: for every metric, each setup's figure (the median over
/// `runs`) and its ratio to the raw baseline (the median of the per-run
/// ratios), then whether each goal is met. Returns true when all goals are met.
bool print_table(std::FILE* out, const std::vector<RunFigures>& runs, const Sizes& sizes);

}  // namespace oneline::bench
