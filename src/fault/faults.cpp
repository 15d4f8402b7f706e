#include <oneline/faults.hpp>

namespace oneline {
namespace {

bool is_probability(double value) { return value >= 0.0 && value <= 1.0; }  // false for NaN too

}  // namespace

std::string Faults::problem() const {
    if (delay_min.count() < 0 || delay_max.count() < 0) {
        return "the delay must not be negative";
    }
    if (delay_min > delay_max) {
        return "the delay's minimum (" + std::to_string(delay_min.count()) + " ms) is above its maximum (" +
               std::to_string(delay_max.count()) + " ms)";
    }
    if (!is_probability(drop)) {
        return "drop must be a probability from 0 to 1";
    }
    if (!is_probability(truncate)) {
        return "truncate must be a probability from 0 to 1";
    }
    return {};
}

}  // namespace oneline
