// The single-step mode (serve_once, the wait descriptor) beside the threaded server, in one run.
#include "stepping.hpp"

#include "support/echo_server.hpp"
#include "load/raw_load.hpp"
#include "load/stats.hpp"

#include <oneline/server.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <thread>

namespace oneline::bench {
namespace {

using namespace std::chrono_literals;

/// A host's loop driving `server` one step at a time in its own thread until the run stops.
class HostLoop {
public:
    HostLoop(Server& server, StepMode mode) : server_(server), thread_([this, mode] { run(mode); }) {
        if (!server_.wait_until_running(10s)) {
            server_.stop();
            thread_.join();
            throw std::runtime_error("the host loop did not begin serving");
        }
    }
    ~HostLoop() {
        server_.stop();
        thread_.join();
    }
    HostLoop(const HostLoop&) = delete;
    HostLoop& operator=(const HostLoop&) = delete;

    void check() const {
        if (failed_) {
            throw std::runtime_error("the host loop failed: " + error_);
        }
    }

private:
    void run(StepMode mode) {
        try {
            if (mode == StepMode::wait_descriptor) {
                const int fd = server_.wait_descriptor();
                do {
                    pollfd entry{fd, POLLIN, 0};
                    ::poll(&entry, 1, -1);  // no timeout of its own: the descriptor says when
                } while (server_.serve_once(0ms) == ServeStatus::serving);
            } else {
                while (server_.serve_once(100ms) == ServeStatus::serving) {
                }
            }
        } catch (const std::exception& error) {
            error_ = error.what();
            failed_ = true;
        }
    }

    Server& server_;
    std::string error_;
    std::atomic<bool> failed_{false};
    std::thread thread_;
};

void measure(SteppingFigures& figures, StepMode mode, const Server& server, const Sizes& sizes,
             const Workload& workload) {
    const auto index = static_cast<std::size_t>(mode);
    const Endpoint endpoint = resolve("127.0.0.1", server.port());
    auto samples = raw_round_trips(endpoint, workload, sizes.round_trips);
    const LatencySummary summary = summarize(samples);
    figures.rtt_median[index] = summary.median_us;
    figures.rtt_p99[index] = summary.p99_us;
    figures.pipelined[index] = raw_pipelined(endpoint, workload, sizes.pipelined);
}

template <std::size_t N>
double median_of(const std::vector<SteppingFigures>& runs, std::array<double, N> SteppingFigures::*row,
                 std::size_t mode, bool ratio) {
    std::vector<double> values;
    for (const auto& run : runs) {
        const auto& figures = run.*row;
        values.push_back(ratio ? figures[mode] / figures[0] : figures[mode]);
    }
    return median(values);
}

}  // namespace

SteppingFigures run_stepping(const Sizes& sizes) {
    const Workload workload = Workload::echo();
    SteppingFigures figures;
    for (const StepMode mode : {StepMode::threaded, StepMode::serve_once, StepMode::wait_descriptor}) {
        const auto server = make_echo_server(sizes.max_line_length);
        if (mode == StepMode::threaded) {
            server->start();
            measure(figures, mode, *server, sizes, workload);
            server->stop();
            continue;
        }
        const HostLoop host(*server, mode);
        measure(figures, mode, *server, sizes, workload);
        host.check();
    }
    return figures;
}

void print_stepping(std::FILE* out, const std::vector<SteppingFigures>& runs) {
    if (runs.empty()) {
        return;
    }
    std::fprintf(out, "\nsingle-step mode (ratio to the threaded server)\n");
    std::fprintf(out, "%-30s %14s %22s %22s\n", "", "threaded", "serve_once(100 ms)", "wait_descriptor+poll");
    const auto row = [&](const char* name, std::array<double, kStepModeCount> SteppingFigures::*figures,
                         const char* format) {
        std::fprintf(out, "%-30s ", name);
        std::fprintf(out, format, median_of(runs, figures, 0, false));
        for (std::size_t mode = 1; mode < kStepModeCount; ++mode) {
            char cell[64];
            const int length = std::snprintf(cell, sizeof cell, format, median_of(runs, figures, mode, false));
            std::snprintf(cell + length, sizeof cell - static_cast<std::size_t>(length), " (%.2fx)",
                          median_of(runs, figures, mode, true));
            std::fprintf(out, " %22s", cell);
        }
        std::fprintf(out, "\n");
    };
    row("round trip, median (us)", &SteppingFigures::rtt_median, "%.1f");
    row("round trip, p99 (us)", &SteppingFigures::rtt_p99, "%.1f");
    row("pipelined (commands/s)", &SteppingFigures::pipelined, "%.0f");
}

}  // namespace oneline::bench
