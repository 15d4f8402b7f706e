#include "loads.hpp"
#include "scale.hpp"

#include <oneline/client.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStepTimeout{2000};
constexpr std::size_t kClientsAtOnce = 20;
constexpr std::size_t kReplyBytes = 1024 * 1024;
// A small receive window keeps most of the reply in the server's hands while the client resets.
constexpr int kSmallReceiveBuffer = 4096;

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

/// Counts down to zero; waiters wake when it gets there (C++17 has no std::latch).
class CountDown {
public:
    explicit CountDown(std::size_t count) : count_(count) {}
    void arrive() {
        const std::lock_guard lock(mutex_);
        if (count_ > 0 && --count_ == 0) {
            reached_.notify_all();
        }
    }
    bool wait(milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return reached_.wait_for(lock, timeout, [this] { return count_ == 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable reached_;
    std::size_t count_;
};

}  // namespace

LoadReport connect_ping_disconnect(StressServer& server, std::size_t cycles, LoadControl& control) {
    LoadReport report;
    ClientConfig config;
    config.address = "127.0.0.1";
    config.port = server.port();
    Client client(std::move(config));
    for (std::size_t cycle = 0; cycle < cycles; ++cycle) {
        const auto began = Clock::now();
        try {
            client.connect(kStepTimeout);
            if (!client.send("ping") || client.recv(kStepTimeout) != std::optional<std::string>("pong")) {
                if (report.fail(control, "cycle " + std::to_string(cycle) + ": no pong")) {
                    return report;
                }
                continue;
            }
            client.disconnect();
        } catch (const std::exception& error) {
            if (report.fail(control, "cycle " + std::to_string(cycle) + ": " + error.what())) {
                return report;
            }
            continue;
        }
        report.worst_ms = std::max(report.worst_ms, elapsed_ms(began));
        report.bytes += 2 * 5 + 11;  // ping, ping, disconnect
        ++report.units;
        ++control.progress;
    }
    return report;
}

LoadReport abrupt_closes(StressServer& server, std::size_t closes, LoadControl& control) {
    LoadReport report;
    for (std::size_t i = 0; i < closes; ++i) {
        RawSocket socket = connect_served(server, control, report);
        if (!socket.valid()) {
            if (report.interrupted || report.failure_count > 0) {
                return report;
            }
            continue;
        }
        if (i % 2 == 1) {
            const std::string partial = "echo this command never ends " + std::to_string(i);
            if (socket.send_all(partial, kStepTimeout) != Io::ok && report.fail(control, "partial command not sent")) {
                return report;
            }
            report.bytes += partial.size();
        }
        socket.close();  // no `disconnect`: the server must notice and clean up by itself
        ++report.units;
        ++control.progress;
    }
    return report;
}

LoadReport resets_while_writing(StressServer& server, std::size_t resets, LoadControl& control) {
    LoadReport report;
    const std::string command = "blob " + std::to_string(kReplyBytes) + "\n";
    for (std::size_t i = 0; i < resets; ++i) {
        RawSocket socket = connect_served(server, control, report, kSmallReceiveBuffer);
        if (!socket.valid()) {
            return report;
        }
        std::string start_of_reply;
        if (socket.send_all(command, kStepTimeout) != Io::ok ||
            socket.read_some(start_of_reply, kStepTimeout) != Io::ok) {
            if (report.fail(control, "reset " + std::to_string(i) + ": the reply did not start")) {
                return report;
            }
            continue;
        }
        report.bytes += command.size();
        socket.reset_on_close();
        socket.close();  // sends RST while most of the reply is still unwritten
        ++report.units;
        ++control.progress;
    }
    return report;
}

LoadReport concurrent_connects(StressServer& server, std::size_t rounds, LoadControl& control) {
    LoadReport report;
    for (std::size_t round = 0; round < rounds; ++round) {
        CountDown ready(kClientsAtOnce);
        CountDown resolved(kClientsAtOnce);
        std::mutex results_mutex;
        std::size_t served = 0;
        std::size_t closed = 0;
        long long slowest_close_ms = 0;
        std::vector<std::string> problems;
        std::vector<std::thread> clients;
        for (std::size_t c = 0; c < kClientsAtOnce; ++c) {
            clients.emplace_back([&] {
                ready.arrive();
                ready.wait(kStepTimeout);  // all connect at once
                const auto began = Clock::now();
                RawSocket socket = RawSocket::connect_to(server.port(), kStepTimeout);
                std::string answer;
                Io status = socket.valid() ? socket.send_all("ping\n", kStepTimeout) : Io::closed;
                if (status == Io::ok) {
                    status = socket.read_line(answer, kStepTimeout);
                }
                const long long took = elapsed_ms(began);
                {
                    const std::lock_guard lock(results_mutex);
                    if (status == Io::ok && answer == "pong") {
                        ++served;
                    } else if (status == Io::closed && socket.valid()) {
                        ++closed;
                        slowest_close_ms = std::max(slowest_close_ms, took);
                    } else {
                        problems.push_back(socket.valid() ? "neither served nor closed" : "connect failed");
                    }
                }
                resolved.arrive();
                if (status == Io::ok) {
                    // Holds the server until every other client has its answer, then leaves politely.
                    resolved.wait(kStepTimeout);
                    socket.send_all("disconnect\n", kStepTimeout);
                    socket.wait_closed(kStepTimeout);
                }
            });
        }
        for (auto& client : clients) {
            client.join();
        }
        report.worst_ms = std::max(report.worst_ms, slowest_close_ms);
        report.refused += closed;
        for (const auto& problem : problems) {
            report.fail(control, "round " + std::to_string(round) + ": " + problem);
        }
        if (served != 1 && report.fail(control, "round " + std::to_string(round) + ": " + std::to_string(served) +
                                                    " clients served at once, " + std::to_string(closed) + " closed")) {
            return report;
        }
        if (report.interrupted) {
            return report;
        }
        report.units += kClientsAtOnce;
        ++control.progress;
    }
    return report;
}

}  // namespace oneline::stress
