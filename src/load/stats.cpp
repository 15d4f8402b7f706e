#include "stats.hpp"

#include <algorithm>
#include <cmath>

namespace oneline::bench {
namespace {

double to_us(std::chrono::nanoseconds value) { return static_cast<double>(value.count()) / 1000.0; }

// Nearest-rank percentile: the smallest sample with at least `fraction` of the samples at or below it.
std::chrono::nanoseconds percentile(std::vector<std::chrono::nanoseconds>& samples, double fraction) {
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(samples.size())));
    const std::size_t index = rank == 0 ? 0 : rank - 1;
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index), samples.end());
    return samples[index];
}

}  // namespace

LatencySummary summarize(std::vector<std::chrono::nanoseconds>& samples) {
    if (samples.empty()) {
        return {};
    }
    return {to_us(percentile(samples, 0.5)), to_us(percentile(samples, 0.99))};
}

double median(std::vector<double> values) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace oneline::bench
