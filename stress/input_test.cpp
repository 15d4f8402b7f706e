// Hostile and careless input against a real server: an endless line, a slow
// client, clients that never read, and undecodable bytes in both modes.
#include "scale.hpp"
#include "stress_test.hpp"

#include <algorithm>

namespace oneline::stress {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

TEST_F(StressTest, Server_DropsAtTheLineLimit_AndStaysBounded_OnAStreamWithoutLineFeed) {
    auto& target = serve();
    LoadControl control;
    const std::size_t bytes = scaled(200 * kMiB);
    const LoadReport report = endless_line(target, bytes, control);
    check(report);
    EXPECT_GE(report.bytes, bytes);
    // Each connection is dropped once the 1 MiB limit is passed; what it got
    // past that is what the socket buffers held, never the whole stream.
    EXPECT_GE(report.units, bytes / (64 * kMiB));
    EXPECT_LT(report.most_bytes_per_connection, 32 * kMiB);
    finish();
}

TEST_F(StressTest, Server_ServesASlowClient_OneByteEvery10ms) {
    auto& target = serve();
    LoadControl control;
    const std::size_t bytes = scaled(100);
    const LoadReport report = slow_client(target, bytes, control);
    check(report);
    EXPECT_EQ(report.units, bytes / 5);
    finish();
}

TEST_F(StressTest, Server_DropsAClient_ThatNeverReadsItsReplies) {
    auto& target = serve(never_reads_limits());
    LoadControl control;
    const std::size_t clients = std::max<std::size_t>(2, scaled(10));  // both kinds, even when scaled down
    const LoadReport report = never_reads(target, clients, control);
    check(report);
    EXPECT_EQ(report.units, clients);
    finish();
}

TEST_F(StressTest, Server_DecodesHostileBytes_InAsciiMode) {
    auto& target = serve();
    LoadControl control;
    const std::size_t lines = scaled(20'000);
    const LoadReport report = hostile_bytes_ascii(target, lines, control);
    check(report);
    EXPECT_EQ(report.units, lines);
    finish();
}

TEST_F(StressTest, Server_DecodesHostileBytes_InUtf8Mode) {
    auto& target = serve(utf8_decoding());
    LoadControl control;
    const std::size_t lines = scaled(20'000);
    const LoadReport report = hostile_bytes_utf8(target, lines, control);
    check(report);
    EXPECT_EQ(report.units, lines);
    finish();
}

}  // namespace
}  // namespace oneline::stress
