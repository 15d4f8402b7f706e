#pragma once

#include "loads.hpp"
#include "stress_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace oneline::stress {

/// The fixture of every stress scenario. It notes the open descriptors and
/// memory before the scenario; the scenario starts a server with serve(),
/// drives it, records its figures, and ends with finish(), which checks that
/// the server is healthy afterwards:
///  - it drops back to idle (no client) and then uses next to no CPU while
///    waiting, with and without an idle client connected;
///  - a fresh, polite oneline::Client is served correctly within 1 s;
///  - the memory peak stayed within the scenario's budget;
///  - once the server is destroyed, every descriptor is closed again.
/// The figures are printed and recorded as test properties.
class StressTest : public ::testing::Test {
protected:
    /// The default memory budget: how far VmHWM may rise above VmRSS at the start.
    static constexpr std::size_t kDefaultBudgetKib = 64 * 1024;

    void SetUp() override;
    void TearDown() override;

    /// Starts the scenario's server.
    StressServer& serve(StressServer::Tweak tweak = {});
    StressServer& server() { return *server_; }

    /// Records one figure of the scenario (cycles, bytes, ...).
    void figure(const std::string& name, long long value);

    /// Expects `report` to hold no failures, and records its figures.
    void check(const LoadReport& report);

    /// The post-scenario checks described above; call it last.
    void finish(std::size_t memory_budget_kib = kDefaultBudgetKib);

private:
    void expect_idle_cpu(const std::string& label);
    void expect_polite_client_served();

    std::unique_ptr<StressServer> server_;
    std::size_t descriptors_before_ = 0;
    std::size_t resident_before_kib_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::vector<std::pair<std::string, long long>> figures_;
};

}  // namespace oneline::stress
