#include "loads.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kStepTimeout{2000};
constexpr std::size_t kPipelineDepth = 50;
constexpr std::size_t kBurstSize = 1000;
constexpr std::size_t kTicksPerCommand = 20;

/// Sends `batch` copies of `command` in one write, then expects `answers` for each, in order.
bool pipeline(RawSocket& socket, const std::string& command, std::size_t batch, const std::vector<std::string>& answers,
              LoadReport& report, LoadControl& control) {
    std::string stream;
    for (std::size_t i = 0; i < batch; ++i) {
        stream += command;
    }
    if (socket.send_all(stream, kStepTimeout) != Io::ok) {
        return !report.fail(control, "the server dropped the client while commands were sent");
    }
    report.bytes += stream.size();
    for (std::size_t i = 0; i < batch; ++i) {
        for (const std::string& expected : answers) {
            std::string answer;
            if (socket.read_line(answer, kStepTimeout) != Io::ok || answer != expected) {
                report.fail(control, "expected '" + expected + "', got '" + answer + "'");
                return false;
            }
            ++report.units;
        }
        ++control.progress;
    }
    return true;
}

LoadReport run_pipelined(StressServer& server, std::size_t commands, LoadControl& control, const std::string& command,
                         const std::vector<std::string>& answers) {
    LoadReport report;
    RawSocket socket = connect_served(server, control, report);
    for (std::size_t done = 0; socket.valid() && done < commands;) {
        const std::size_t batch = std::min(kPipelineDepth, commands - done);
        if (!pipeline(socket, command, batch, answers, report, control)) {
            break;
        }
        done += batch;
    }
    return report;
}

}  // namespace

LoadReport throwing_callback(StressServer& server, std::size_t commands, LoadControl& control) {
    return run_pipelined(server, commands, control, "throw\nping\n", {"pong"});
}

LoadReport sleeping_callback(StressServer& server, std::size_t commands, LoadControl& control) {
    return run_pipelined(server, commands, control, "sleep 5\n", {"slept"});
}

LoadReport bursting_callback(StressServer& server, std::size_t commands, LoadControl& control) {
    std::vector<std::string> burst;
    for (std::size_t i = 0; i < kBurstSize; ++i) {
        burst.push_back(std::to_string(i));
    }
    return run_pipelined(server, commands, control, "burst " + std::to_string(kBurstSize) + "\n", burst);
}

LoadReport second_thread_send(StressServer& server, std::size_t commands, LoadControl& control) {
    LoadReport report;
    RawSocket socket = connect_served(server, control, report);
    if (!socket.valid()) {
        return report;
    }
    // The ticker only sends while the client is surely connected: between the handshake and the
    // final ping. It keeps at most kTicksPerCommand ticks ahead of the echoes, so that the client
    // keeps up and the server's pending-output limit is never the story.
    std::atomic<std::size_t> ticks_accepted{0};
    std::atomic<bool> ticker_failed{false};
    std::mutex pace_mutex;
    std::condition_variable paced;
    std::size_t echoes_done = 0;
    bool echoes_finished = false;
    std::thread ticker([&] {
        for (std::size_t tick = 0;; ++tick) {
            {
                std::unique_lock lock(pace_mutex);
                paced.wait(lock, [&] { return echoes_finished || tick < (echoes_done + 1) * kTicksPerCommand; });
                if (echoes_finished) {
                    return;
                }
            }
            if (!server.server().send("tick " + std::to_string(tick))) {
                ticker_failed = !control.halting;
                return;
            }
            const std::lock_guard lock(pace_mutex);
            ++ticks_accepted;
            paced.notify_all();
        }
    });
    const auto pace = [&](bool finished) {
        const std::lock_guard lock(pace_mutex);
        ++echoes_done;
        echoes_finished = finished;
        paced.notify_all();
    };
    std::size_t next_tick = 0;
    const auto expect_line = [&](const std::string& wanted) {
        for (;;) {
            std::string answer;
            if (socket.read_line(answer, kStepTimeout) != Io::ok) {
                return false;
            }
            if (answer == wanted) {
                return true;
            }
            if (answer != "tick " + std::to_string(next_tick)) {
                report.fail(control, "expected tick " + std::to_string(next_tick) + " or '" + wanted + "', got '" +
                                         answer + "'");
                return false;
            }
            ++next_tick;
        }
    };
    {
        // The echoes start once the ticker is sending: a fast echo loop (a small, sanitized run)
        // could otherwise finish before the ticker thread is first scheduled, and test nothing.
        std::unique_lock lock(pace_mutex);
        paced.wait_for(lock, kStepTimeout, [&] { return ticks_accepted > 0 || ticker_failed; });
    }
    bool healthy = true;
    for (std::size_t i = 0; healthy && i < commands; ++i) {
        const std::string text = "e" + std::to_string(i);
        healthy = socket.send_all("echo " + text + "\n", kStepTimeout) == Io::ok && expect_line(text);
        report.bytes += text.size() + 6;
        report.units += healthy ? 1 : 0;
        ++control.progress;
        pace(false);
    }
    pace(true);
    ticker.join();
    if (!healthy || socket.send_all("ping\n", kStepTimeout) != Io::ok || !expect_line("pong")) {
        report.fail(control, "the echo round trips broke off");
        return report;
    }
    if (ticker_failed) {
        report.fail(control, "Server::send from the second thread failed while the client was connected");
    }
    if (next_tick != ticks_accepted) {
        report.fail(control,
                    std::to_string(ticks_accepted) + " ticks accepted, " + std::to_string(next_tick) + " received");
    }
    report.side_units = ticks_accepted;
    return report;
}

}  // namespace oneline::stress
