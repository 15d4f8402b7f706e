#pragma once

// The random numbers of a RANDOM(min, max, n) directive, drawn as Python's `random` module draws
// them (the Mersenne Twister seeded by init_by_array, random() from two 32-bit words, uniform()),
// so that a seeded device gives the same values as pyvisa-sim with random.seed(SEED).

#include <cstdint>
#include <random>

namespace oneline::device {

/// Python's random.Random, for seed() with a non-negative integer, random() and uniform().
class PythonRandom {
public:
    /// Seeded from std::random_device.
    PythonRandom();
    /// As Python's random.seed(seed).
    explicit PythonRandom(std::uint64_t seed) { seed_with(seed); }

    /// As Python's random.seed(seed).
    void seed_with(std::uint64_t seed);
    /// As Python's random.random(): uniform in [0, 1), 53 bits.
    double random();
    /// As Python's random.uniform(a, b): a + (b - a) * random().
    double uniform(double a, double b) { return a + (b - a) * random(); }

private:
    // The generator is the standard one; only its seeding is Python's, so the state is set
    // through the standard's textual state form.
    std::mt19937 engine_;
};

}  // namespace oneline::device
