// Responses owed, delivered in full: to clients that half-close after a burst of commands, and to
// a client that pipelines thousands of commands with large answers while it reads them.
#include "scale.hpp"
#include "stress_test.hpp"

namespace oneline::stress {
namespace {

TEST_F(StressTest, Server_WritesEveryResponseOwed_ToClientsThatHalfCloseAfterABurst) {
    RecordProperty("srs", "SRS-041");
    auto& target = serve();
    LoadControl control;
    const std::size_t rounds = scaled(100);
    const LoadReport report = half_close_after_burst(target, rounds, control);
    check(report);
    EXPECT_EQ(report.units, rounds * kBurstCommands);
    EXPECT_EQ(report.bytes_received, rounds * kBurstCommands * (kBurstResponseBytes + 1));
    finish();
}

TEST_F(StressTest, Server_SlowsDownAReadingClient_ThatPipelinesCommandsWith64KiBAnswers) {
    RecordProperty("srs", "SRS-042");
    auto& target = serve();
    LoadControl control;
    const std::size_t commands = scaled(10'000);
    const LoadReport report = pipelined_large_responses(target, commands, control);
    check(report);
    EXPECT_EQ(report.units, commands);
    EXPECT_EQ(report.bytes_received, commands * (kLargeResponseBytes + 1));
    finish();
}

}  // namespace
}  // namespace oneline::stress
