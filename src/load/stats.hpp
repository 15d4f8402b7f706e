#pragma once

#include <chrono>
#include <vector>

namespace oneline::bench {

/// Median and 99th percentile of a set of durations, in microseconds.
struct LatencySummary {
    double median_us = 0;
    double p99_us = 0;
};

/// Summarises `samples` (reordered in place). All zero when empty.
LatencySummary summarize(std::vector<std::chrono::nanoseconds>& samples);

/// The median of `values` (reordered in place); the mean of the middle two for
/// an even count; 0 when empty.
double median(std::vector<double> values);

}  // namespace oneline::bench
