#include "stress_test.hpp"

#include "process_probe.hpp"
#include "scale.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/client.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Waiting a fixed time is the point here: how much CPU does an idle server burn?
constexpr milliseconds kIdleWindow{200};
// A server that waits in poll() uses microseconds of it; one that spins uses all of it.
constexpr std::chrono::microseconds kIdleCpuAllowance{20'000};
constexpr milliseconds kPoliteClientBudget{1000};

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

/// Forgets the VmHWM of earlier scenarios run in the same process.
void reset_memory_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace

void StressTest::SetUp() {
    reset_memory_peak();
    descriptors_before_ = open_descriptor_count();
    resident_before_kib_ = process_memory().resident_kib;
    started_ = Clock::now();
}

void StressTest::TearDown() { server_.reset(); }

StressServer& StressTest::serve(StressServer::Tweak tweak) {
    server_ = std::make_unique<StressServer>(std::move(tweak));
    return *server_;
}

void StressTest::figure(const std::string& name, long long value) {
    figures_.emplace_back(name, value);
    RecordProperty(name, std::to_string(value));
}

void StressTest::check(const LoadReport& report) {
    figure("units", static_cast<long long>(report.units));
    figure("bytes_sent", static_cast<long long>(report.bytes));
    if (report.bytes_received > 0) {
        figure("bytes_received", static_cast<long long>(report.bytes_received));
    }
    figure("refused", static_cast<long long>(report.refused));
    figure("worst_ms", report.worst_ms);
    if (report.side_units > 0) {
        figure("side_units", static_cast<long long>(report.side_units));
    }
    if (report.most_bytes_per_connection > 0) {
        figure("most_bytes_per_connection", static_cast<long long>(report.most_bytes_per_connection));
    }
    EXPECT_EQ(report.failure_count, 0U) << "first failures:\n"
                                        << [&] {
                                               std::string text;
                                               for (const auto& failure : report.failures) {
                                                   text += "  " + failure + "\n";
                                               }
                                               return text;
                                           }();
}

void StressTest::expect_idle_cpu(const std::string& label) {
    const auto before = process_cpu_time();
    std::this_thread::sleep_for(kIdleWindow);
    const auto used = process_cpu_time() - before;
    figure(label, used.count());
    EXPECT_LT(used, kIdleCpuAllowance) << label << ": the process used " << used.count() << " us of CPU in "
                                       << kIdleWindow.count() << " ms of idle waiting";
}

void StressTest::expect_polite_client_served() {
    const auto began = Clock::now();
    ClientConfig config;
    config.address = server_->address();
    config.port = server_->port();
    Client client(std::move(config));
    try {
        client.connect(kPoliteClientBudget);
        ASSERT_TRUE(client.send("echo polite"));
        const auto answer = client.recv(kPoliteClientBudget);
        ASSERT_TRUE(answer.has_value()) << "no answer to a polite client";
        EXPECT_EQ(*answer, "polite");
        client.disconnect();
    } catch (const std::exception& error) {
        FAIL() << "a polite client was not served: " << error.what();
    }
    const long long took = elapsed_ms(began);
    figure("polite_client_ms", took);
    EXPECT_LT(took, kPoliteClientBudget.count()) << "a polite client took " << took << " ms to be served";
}

void StressTest::finish(std::size_t memory_budget_kib) {
    ASSERT_TRUE(server_) << "finish() needs a server";
    figure("scenario_ms", elapsed_ms(started_));
    EXPECT_TRUE(server_->server().running()) << "the server stopped serving";
    EXPECT_TRUE(wait_until([this] { return !server_->server().client_connected(); }, milliseconds(2000)))
        << "the server still holds a client 2 s after the scenario";
    expect_idle_cpu("idle_cpu_us");
    {
        // An idle connected client must not make the server spin either.
        RawSocket idle = connect_to_server(*server_, kPoliteClientBudget);
        std::string pong;
        ASSERT_EQ(idle.send_all("ping\n", kPoliteClientBudget), Io::ok);
        ASSERT_EQ(idle.read_line(pong, kPoliteClientBudget), Io::ok);
        EXPECT_EQ(pong, "pong");
        expect_idle_cpu("idle_cpu_with_client_us");
    }
    EXPECT_TRUE(wait_until([this] { return !server_->server().client_connected(); }, milliseconds(2000)));
    expect_polite_client_served();

    const Memory memory = process_memory();
    figure("rss_kib", static_cast<long long>(memory.resident_kib));
    figure("peak_rss_kib", static_cast<long long>(memory.peak_kib));
    const std::size_t budget = sanitized_build() ? memory_budget_kib * 8 : memory_budget_kib;
    EXPECT_LT(memory.peak_kib, resident_before_kib_ + budget)
        << "memory peaked at " << memory.peak_kib << " KiB, from " << resident_before_kib_ << " KiB";

    server_.reset();
    const std::size_t descriptors_after = open_descriptor_count();
    figure("fds_after", static_cast<long long>(descriptors_after));
    EXPECT_EQ(descriptors_after, descriptors_before_) << "descriptors leaked";

    std::ostringstream line;
    line << "[ stress   ] " << ::testing::UnitTest::GetInstance()->current_test_info()->name() << ":";
    for (const auto& [name, value] : figures_) {
        line << ' ' << name << '=' << value;
    }
    std::cout << line.str() << std::endl;
}

}  // namespace oneline::stress
