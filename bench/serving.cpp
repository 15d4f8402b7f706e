#include "serving.hpp"

#include "load/raw_load.hpp"
#include "load/stats.hpp"
#include "support/server_process.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>

namespace oneline::bench {
namespace {

constexpr const char* kHost = "127.0.0.1";
constexpr std::chrono::milliseconds kStartTimeout{10000};
constexpr const char* kNames[kServedCount] = {"raw baseline", "library echo", "oneline server --echo",
                                              "oneline server -v"};

std::unique_ptr<ServerProcess> start(Served served, const std::string& self, const std::string& tool) {
    switch (served) {
        case Served::raw_baseline:
        case Served::library:
            return std::make_unique<ServerProcess>(
                std::vector<std::string>{self, "--serve", served == Served::raw_baseline ? "raw" : "oneline"},
                kStartTimeout);
        case Served::tool:
        case Served::tool_verbose: {
            std::vector<std::string> argv{tool, "server", "--echo", "-a", kHost, "-p", "0"};
            if (served == Served::tool_verbose) {
                argv.emplace_back("-v");
            }
            return std::make_unique<ServerProcess>(argv, kStartTimeout, PortReport::stderr_listening_on);
        }
    }
    throw std::logic_error("unknown server");
}

/// The server's CPU time per command while `load` runs `count` commands against it.
template <class Load>
double cpu_per_command(const ServerProcess& process, std::size_t count, Load&& load) {
    const std::chrono::nanoseconds before = cpu_time(process.pid());
    load();
    return static_cast<double>((cpu_time(process.pid()) - before).count()) / static_cast<double>(count);
}

void measure(ServingFigures& figures, const ServerProcess& process, const ServingSizes& sizes,
             const Workload& workload) {
    const Endpoint server = resolve(kHost, process.port());
    if (sizes.per_command > 0) {
        figures.per_command_cpu = cpu_per_command(process, sizes.per_command, [&] {
            figures.per_command = raw_pipelined(server, workload, sizes.per_command, Writes::per_command);
        });
    }
    if (sizes.blocks > 0) {
        figures.blocks_cpu = cpu_per_command(process, sizes.blocks, [&] {
            figures.blocks = raw_pipelined(server, workload, sizes.blocks, Writes::blocks);
        });
    }
    if (sizes.round_trips > 0) {
        figures.rtt_cpu = cpu_per_command(process, sizes.round_trips, [&] {
            std::vector<std::chrono::nanoseconds> samples = raw_round_trips(server, workload, sizes.round_trips);
            figures.rtt_median = summarize(samples).median_us;
        });
    }
}

/// The median over the rounds of `served`'s figure `field`, or of its ratio to the raw baseline.
double median_of(const std::vector<ServingRound>& rounds, Served served, double ServingFigures::*field, bool ratio) {
    std::vector<double> values;
    for (const ServingRound& round : rounds) {
        const double value = round[static_cast<std::size_t>(served)].*field;
        const double base = round[static_cast<std::size_t>(Served::raw_baseline)].*field;
        if (std::isnan(value) || (ratio && !(base > 0))) {
            return std::nan("");
        }
        values.push_back(ratio ? value / base : value);
    }
    return median(values);
}

struct Row {
    const char* name;
    const char* format;
    double ServingFigures::*field;
};

constexpr Row kRows[] = {
    {"pipelined, a write per command /s", "%.0f", &ServingFigures::per_command},
    {"  server CPU per command (ns)", "%.0f", &ServingFigures::per_command_cpu},
    {"pipelined, 64 KiB writes /s", "%.0f", &ServingFigures::blocks},
    {"  server CPU per command (ns)", "%.0f", &ServingFigures::blocks_cpu},
    {"round trip, median (us)", "%.1f", &ServingFigures::rtt_median},
    {"  server CPU per round trip (ns)", "%.0f", &ServingFigures::rtt_cpu},
};

/// `served`'s ratio to the raw baseline of its round, for each round.
std::vector<double> ratios(const std::vector<ServingRound>& rounds, Served served, double ServingFigures::*field) {
    std::vector<double> each;
    for (const ServingRound& round : rounds) {
        each.push_back(round[static_cast<std::size_t>(served)].*field /
                       round[static_cast<std::size_t>(Served::raw_baseline)].*field);
    }
    return each;
}

void print_ratios(std::FILE* out, const char* what, const std::vector<double>& each) {
    std::fprintf(out, "%s:", what);
    for (const double ratio : each) {
        std::fprintf(out, " %.2fx", ratio);
    }
    std::fprintf(out, "\n");
}

}  // namespace

std::vector<ServingRound> run_serving(const ServingSizes& sizes, const std::vector<Served>& served,
                                      const std::string& self, const std::string& tool) {
    const Workload workload = Workload::fixed("x", "x");
    std::vector<std::unique_ptr<ServerProcess>> processes;
    for (const Served one : served) {
        processes.push_back(start(one, self, tool));
        // One short run first, so that what the first connection touches is warm for all alike.
        raw_pipelined(resolve(kHost, processes.back()->port()), workload, 20'000, Writes::blocks);
    }
    std::vector<ServingRound> rounds(sizes.rounds);
    for (std::size_t round = 0; round < sizes.rounds; ++round) {
        for (std::size_t turn = 0; turn < served.size(); ++turn) {
            const std::size_t which = (round + turn) % served.size();
            measure(rounds[round][static_cast<std::size_t>(served[which])], *processes[which], sizes, workload);
        }
    }
    return rounds;
}

bool print_serving(std::FILE* out, const std::vector<ServingRound>& rounds, const ServingSizes& sizes) {
    std::fprintf(out,
                 "\nserving path: each server in its own process, this one the load client (a writer thread, a "
                 "reader thread); pipelined %zu `x` commands a write each and %zu in 64 KiB writes, %zu round trips; "
                 "%zu interleaved rounds, medians; ratio = server / raw baseline (median of the per-round ratios)\n\n",
                 sizes.per_command, sizes.blocks, sizes.round_trips, rounds.size());
    std::fprintf(out, "%-34s", "");
    for (const char* name : kNames) {
        std::fprintf(out, " %22s", name);
    }
    std::fprintf(out, "\n");
    for (const Row& row : kRows) {
        std::fprintf(out, "%-34s", row.name);
        for (std::size_t s = 0; s < kServedCount; ++s) {
            const auto served = static_cast<Served>(s);
            const double value = median_of(rounds, served, row.field, false);
            char text[64] = "-";
            if (!std::isnan(value)) {
                const int used = std::snprintf(text, sizeof text, row.format, value);
                if (s > 0 && used > 0) {
                    std::snprintf(text + used, sizeof text - static_cast<std::size_t>(used), " (%.2fx)",
                                  median_of(rounds, served, row.field, true));
                }
            }
            std::fprintf(out, " %22s", text);
        }
        std::fprintf(out, "\n");
    }
    std::fprintf(out, "\n");
    print_ratios(out, "tool, a write per command, per round",
                 ratios(rounds, Served::tool, &ServingFigures::per_command));
    print_ratios(out, "tool, 64 KiB writes, per round", ratios(rounds, Served::tool, &ServingFigures::blocks));

    const auto tool_ratio = [&](double ServingFigures::*field) { return median_of(rounds, Served::tool, field, true); };
    struct Goal {
        const char* text;
        bool met;
    };
    const Goal goals[] = {
        {"pipelined (a write per command) >= 1.3x raw", tool_ratio(&ServingFigures::per_command) >= 1.3},
        {"server CPU per command (same) <= 1.15x raw", tool_ratio(&ServingFigures::per_command_cpu) <= 1.15},
        {"round trip median <= 1.10x raw", tool_ratio(&ServingFigures::rtt_median) <= 1.10},
    };
    std::fprintf(out, "\ngoals, oneline server --echo (-v off):\n");
    bool all_met = true;
    for (const Goal& goal : goals) {
        std::fprintf(out, "  %-48s %s\n", goal.text, goal.met ? "met" : "MISSED");
        all_met = all_met && goal.met;
    }
    return all_met;
}

bool check_serving(std::FILE* out, const ServingSizes& sizes, const std::string& self, const std::string& tool,
                   const CheckThresholds& thresholds) {
    ServingSizes blocks_only = sizes;
    blocks_only.per_command = 0;
    blocks_only.round_trips = 0;
    const std::vector<ServingRound> rounds = run_serving(blocks_only, {Served::raw_baseline, Served::tool}, self, tool);
    for (std::size_t i = 0; i < rounds.size(); ++i) {
        const ServingFigures& raw = rounds[i][static_cast<std::size_t>(Served::raw_baseline)];
        const ServingFigures& served = rounds[i][static_cast<std::size_t>(Served::tool)];
        std::fprintf(out, "round %zu: raw %.0f/s %.1f ns, tool %.0f/s %.1f ns: %.2fx, CPU %.2fx\n", i + 1, raw.blocks,
                     raw.blocks_cpu, served.blocks, served.blocks_cpu, served.blocks / raw.blocks,
                     served.blocks_cpu / raw.blocks_cpu);
    }
    const double throughput = median_of(rounds, Served::tool, &ServingFigures::blocks, true);
    const double cpu = median_of(rounds, Served::tool, &ServingFigures::blocks_cpu, true);
    const bool passed = throughput >= thresholds.throughput && cpu <= thresholds.cpu;
    std::fprintf(out,
                 "check: %s, pipelined in 64 KiB writes, medians of %zu interleaved rounds against the raw baseline: "
                 "throughput %.2fx (fails below %.2fx), server CPU per command %.2fx (fails above %.2fx): %s\n",
                 tool.c_str(), rounds.size(), throughput, thresholds.throughput, cpu, thresholds.cpu,
                 passed ? "passed" : "FAILED");
    return passed;
}

}  // namespace oneline::bench
