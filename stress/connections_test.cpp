// Connection churn against a real server: many polite cycles, abrupt closes,
// resets in the middle of a reply, crowds connecting at once, and peers that vanish.
#include "scale.hpp"
#include "stress_test.hpp"
#include "ut/support/veth_link.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace oneline::stress {
namespace {

TEST_F(StressTest, Server_ServesEveryCycle_OfConnectPingDisconnect) {
    auto& target = serve();
    LoadControl control;
    const std::size_t cycles = scaled(10'000);
    const LoadReport report = connect_ping_disconnect(target, cycles, control);
    check(report);
    EXPECT_EQ(report.units, cycles);
    finish();
}

TEST_F(StressTest, Server_CleansUp_AfterAbruptCloses_HalfMidCommand) {
    auto& target = serve();
    LoadControl control;
    const std::size_t closes = scaled(2'000);
    const LoadReport report = abrupt_closes(target, closes, control);
    check(report);
    EXPECT_EQ(report.units, closes);
    // Each client connects after the previous one closed, so none may be refused as a second
    // client (they were, when the EOF behind a partial command went unseen until after accept).
    EXPECT_EQ(report.refused, 0U);
    finish();
}

TEST_F(StressTest, Server_SurvivesResets_WhileWritingAReply) {
    auto& target = serve();
    LoadControl control;
    const std::size_t resets = scaled(500);
    const LoadReport report = resets_while_writing(target, resets, control);
    check(report);
    EXPECT_EQ(report.units, resets);
    finish();
}

TEST_F(StressTest, Server_ServesExactlyOne_AndClosesTheOthersPromptly_WhenTwentyConnectAtOnce) {
    auto& target = serve();
    LoadControl control;
    const std::size_t rounds = scaled(20);
    const LoadReport report = concurrent_connects(target, rounds, control);
    check(report);
    EXPECT_EQ(report.units, rounds * 20);
    EXPECT_LT(report.worst_ms, 1000) << "a refused client waited " << report.worst_ms << " ms to be closed";
    finish();
}

TEST_F(StressTest, Server_FreesTheSlot_WhenPeersVanishWithResponsesInFlight) {
    RecordProperty("srs", "SRS-043");
    // A peer that vanishes without a word needs a link that can be cut: loopback answers with a
    // reset. The server and its other clients live on the server's side of the link.
    std::string why_not;
    const auto link = test::VethLink::create(why_not);
    if (!link) {
        GTEST_SKIP() << "no network namespaces for vanishing peers: " << why_not;
    }
    using Side = test::VethLink::Side;
    StressServer* target = nullptr;
    link->run_in(Side::server, [&] { target = &serve(vanishing_peer_limits(*link)); });
    LoadControl control;
    const std::size_t rounds = scaled(3);
    const LoadReport report = vanishing_peers(*target, *link, rounds, control);
    check(report);
    EXPECT_EQ(report.units, rounds);
    EXPECT_EQ(report.refused, rounds);
    EXPECT_GE(report.worst_ms, kVanishUserTimeout.count() / 2) << "freed too soon to be the user timeout";
    link->run_in(Side::server, [&] { finish(); });
}

}  // namespace
}  // namespace oneline::stress
