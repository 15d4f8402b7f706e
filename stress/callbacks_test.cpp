// Callbacks that misbehave, and sends from outside the server's thread.
#include "scale.hpp"
#include "stress_test.hpp"

namespace oneline::stress {
namespace {

TEST_F(StressTest, Server_GoesOnServing_WhenTheCallbackThrows) {
    auto& target = serve();
    LoadControl control;
    const std::size_t commands = scaled(5'000);
    const LoadReport report = throwing_callback(target, commands, control);
    check(report);
    EXPECT_EQ(report.units, commands);
    EXPECT_EQ(target.throws(), commands);
    finish();
}

TEST_F(StressTest, Server_AnswersInOrder_WhenTheCallbackSleeps) {
    auto& target = serve();
    LoadControl control;
    const std::size_t commands = scaled(100);
    const LoadReport report = sleeping_callback(target, commands, control);
    check(report);
    EXPECT_EQ(report.units, commands);
    finish();
}

TEST_F(StressTest, Server_DeliversEveryResponse_WhenTheCallbackSendsManyPerCommand) {
    auto& target = serve();
    LoadControl control;
    const std::size_t commands = scaled(100);
    const LoadReport report = bursting_callback(target, commands, control);
    check(report);
    EXPECT_EQ(report.units, commands * 1000);
    finish();
}

TEST_F(StressTest, Server_KeepsBothOrders_WhenASecondThreadSendsWhileCommandsFlow) {
    auto& target = serve();
    LoadControl control;
    const std::size_t commands = scaled(2'000);
    const LoadReport report = second_thread_send(target, commands, control);
    check(report);
    EXPECT_EQ(report.units, commands);
    EXPECT_GT(report.side_units, 0U);
    finish();
}

}  // namespace
}  // namespace oneline::stress
