// stop() from another thread in the middle of every load, then a restart on
// the same port, after which a polite client must be served again.
#include "scale.hpp"
#include "stress_test.hpp"

#include <chrono>
#include <ostream>
#include <thread>

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStopBudget{1000};
// After stop() every socket operation of a load fails fast; its slowest timeout bounds the rest.
constexpr milliseconds kLoadEndBudget{3000};
constexpr milliseconds kUnderWayTimeout{10'000};

struct StopCase {
    const char* name;
    Load load;
    std::size_t count;           // more than the load gets through before the stop
    std::size_t progress_first;  // the load's progress to wait for before stopping
    StressServer::Tweak (*tweak)();
};

/// Names the case in ctest's and gtest's output instead of dumping its bytes.
void PrintTo(const StopCase& scenario, std::ostream* out) { *out << scenario.name; }

class StopDuringLoad : public StressTest, public ::testing::WithParamInterface<StopCase> {};

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

TEST_P(StopDuringLoad, Server_StopsPromptly_AndRestartsOnTheSamePort) {
    const StopCase& scenario = GetParam();
    auto& target = serve(scenario.tweak != nullptr ? scenario.tweak() : StressServer::Tweak{});
    const std::uint16_t port = target.port();
    LoadControl control;
    LoadReport report;
    std::thread load([&] { report = scenario.load(target, scaled(scenario.count), control); });

    const bool under_way = wait_until([&] { return control.progress >= scenario.progress_first; }, kUnderWayTimeout);
    control.halting = true;
    const auto stop_began = Clock::now();
    std::thread stopper([&] { target.server().stop(); });
    stopper.join();
    const long long stop_ms = elapsed_ms(stop_began);
    load.join();
    const long long load_end_ms = elapsed_ms(stop_began);

    EXPECT_TRUE(under_way) << "the load made no progress before the stop";
    EXPECT_FALSE(target.server().running());
    EXPECT_LT(stop_ms, kStopBudget.count()) << "stop() took " << stop_ms << " ms";
    EXPECT_LT(load_end_ms, kLoadEndBudget.count()) << "the load needed " << load_end_ms << " ms to notice the stop";
    check(report);
    figure("progress_at_stop", static_cast<long long>(control.progress.load()));
    figure("stop_ms", stop_ms);
    figure("load_end_ms", load_end_ms);

    target.restart_on_same_port();
    EXPECT_EQ(target.server().port(), port);
    finish();
}

StressServer::Tweak no_tweak() { return {}; }

INSTANTIATE_TEST_SUITE_P(
    Stress, StopDuringLoad,
    ::testing::Values(StopCase{"ConnectPingDisconnect", connect_ping_disconnect, 100'000, 200, nullptr},
                      StopCase{"AbruptCloses", abrupt_closes, 20'000, 100, nullptr},
                      StopCase{"ResetsWhileWriting", resets_while_writing, 5'000, 20, nullptr},
                      StopCase{"ConcurrentConnects", concurrent_connects, 200, 2, nullptr},
                      StopCase{"EndlessLine", endless_line, 2000ULL * 1024 * 1024, 4 * 1024 * 1024, nullptr},
                      StopCase{"SlowClient", slow_client, 10'000, 20, nullptr},
                      StopCase{"NeverReads", never_reads, 1'000, 1, never_reads_limits},
                      StopCase{"HostileBytesAscii", hostile_bytes_ascii, 50'000, 64 * 1024, nullptr},
                      StopCase{"HostileBytesUtf8", hostile_bytes_utf8, 50'000, 64 * 1024, utf8_decoding},
                      StopCase{"ThrowingCallback", throwing_callback, 100'000, 500, nullptr},
                      StopCase{"SleepingCallback", sleeping_callback, 10'000, 10, nullptr},
                      StopCase{"BurstingCallback", bursting_callback, 10'000, 10, nullptr},
                      StopCase{"SecondThreadSend", second_thread_send, 20'000, 200, no_tweak},
                      StopCase{"HalfCloseAfterBurst", half_close_after_burst, 1'000, 2, nullptr},
                      StopCase{"PipelinedLargeResponses", pipelined_large_responses, 100'000, 500, nullptr}),
    [](const ::testing::TestParamInfo<StopCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace oneline::stress
