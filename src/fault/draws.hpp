#pragma once

#include <cstdint>

namespace oneline::fault {

/// The random numbers one command's faults are drawn from: a splitmix64 stream started from the
/// seed and the command's number, so that command n gets the same draws whatever came before it,
/// and the same on every platform (the standard library's distributions differ between
/// implementations; these are written out).
class Draws {
public:
    Draws(std::uint64_t seed, std::uint64_t command_number) noexcept : state_(seed ^ mixed(command_number + kGolden)) {}

    /// The next 64 random bits.
    std::uint64_t next() noexcept {
        state_ += kGolden;
        return mixed(state_);
    }

    /// True with probability `probability` (0 never, 1 always).
    bool chance(double probability) noexcept {
        constexpr double kUnit = 1.0 / 9007199254740992.0;  // 2^-53: 53 random bits make a double in [0, 1)
        return static_cast<double>(next() >> 11) * kUnit < probability;
    }

    /// A number from `low` to `high`, both included (`low` <= `high`).
    std::uint64_t between(std::uint64_t low, std::uint64_t high) noexcept {
        const std::uint64_t span = high - low;
        return span == UINT64_MAX ? next() : low + next() % (span + 1);
    }

private:
    static constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

    static std::uint64_t mixed(std::uint64_t value) noexcept {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
        return value ^ (value >> 31);
    }

    std::uint64_t state_;
};

}  // namespace oneline::fault
