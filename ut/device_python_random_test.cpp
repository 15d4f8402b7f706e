// RANDOM(...) draws as Python's random module does (src/device/python_random): the expected
// numbers are CPython's random.seed(42) sequence.
#include "device/python_random.hpp"

#include <gtest/gtest.h>

namespace oneline::device {
namespace {

TEST(DevicePythonRandom, DrawsPythonsSequence_ForASeed) {
    PythonRandom random(42);
    EXPECT_DOUBLE_EQ(random.random(), 0.6394267984578837);
    EXPECT_DOUBLE_EQ(random.random(), 0.025010755222666936);
    EXPECT_DOUBLE_EQ(random.random(), 0.27502931836911926);
    random.seed_with(42);
    EXPECT_DOUBLE_EQ(random.uniform(0, 10.5), 10.5 * 0.6394267984578837);
}

TEST(DevicePythonRandom, SeedsBeyond32Bits_AsPython) {
    PythonRandom random(1ULL << 40);  // Python: random.seed(2**40); random.random()
    EXPECT_DOUBLE_EQ(random.random(), 0.1036394562812375);
}

TEST(DevicePythonRandom, StaysInItsRange) {
    PythonRandom random;
    for (int i = 0; i < 1000; ++i) {
        const double value = random.uniform(-5, 5);
        EXPECT_GE(value, -5);
        EXPECT_LT(value, 5);
    }
}

}  // namespace
}  // namespace oneline::device
