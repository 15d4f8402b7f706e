#include "suite.hpp"

#include "load/client_load.hpp"
#include "support/echo_server.hpp"
#include "load/raw_load.hpp"
#include "support/raw_server.hpp"
#include "support/server_process.hpp"
#include "load/stats.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace oneline::bench {
namespace {

constexpr const char* kHost = "127.0.0.1";
constexpr std::chrono::milliseconds kStartTimeout{10000};

double& at(RunFigures& figures, Metric metric, Setup setup) {
    return figures[static_cast<std::size_t>(metric)][static_cast<std::size_t>(setup)];
}

void record_latency(RunFigures& figures, Setup setup, std::vector<std::chrono::nanoseconds> samples) {
    const LatencySummary summary = summarize(samples);
    at(figures, Metric::rtt_median, setup) = summary.median_us;
    at(figures, Metric::rtt_p99, setup) = summary.p99_us;
}

/// The raw load client against a server on `port`: latency, throughput, churn.
void measure_with_raw_client(RunFigures& figures, Setup setup, std::uint16_t port, const Sizes& sizes,
                             const Workload& workload) {
    const Endpoint server = resolve(kHost, port);
    record_latency(figures, setup, raw_round_trips(server, workload, sizes.round_trips));
    at(figures, Metric::pipelined, setup) = raw_pipelined(server, workload, sizes.pipelined);
    at(figures, Metric::churn, setup) = raw_churn(server, sizes.churn);
}

void measure_with_client(RunFigures& figures, std::uint16_t port, const Sizes& sizes, const Workload& workload) {
    record_latency(figures, Setup::oneline_client, client_round_trips(kHost, port, workload, sizes.round_trips));
    at(figures, Metric::pipelined, Setup::oneline_client) =
        client_pipelined(kHost, port, workload, sizes.pipelined, sizes.window);
    at(figures, Metric::churn, Setup::oneline_client) = client_churn(kHost, port, sizes.churn);
}

/// Peak RSS growth (KiB) of a fresh server process of `kind` while `load` runs against it.
template <class Load>
double peak_growth_kib(const std::string& self, const std::string& kind, const Sizes& sizes, Load&& load) {
    const ServerProcess process({self, "--serve", kind, "--max-line", std::to_string(sizes.max_line_length)},
                                kStartTimeout);
    const Endpoint server = resolve(kHost, process.port());
    // One connection first, so that what every connection touches is already resident.
    raw_churn(server, 1);
    reset_peak(process.pid());
    const MemoryStatus before = read_memory(process.pid());
    load(server);
    const MemoryStatus after = read_memory(process.pid());
    return static_cast<double>(after.peak_kib - before.rss_kib);
}

void measure_memory(RunFigures& figures, Setup setup, const std::string& kind, const Sizes& sizes,
                    const Workload& workload, const std::string& self) {
    at(figures, Metric::flood_memory, setup) = peak_growth_kib(self, kind, sizes, [&](const Endpoint& server) {
        const FloodResult flood = raw_flood(server, sizes.flood_bytes);
        if (flood.drops == 0 && sizes.flood_bytes > 2 * sizes.max_line_length + 64 * 1024 * 1024) {
            throw std::runtime_error(kind + " server never dropped a client streaming without a line feed");
        }
    });
    at(figures, Metric::pipelined_memory, setup) = peak_growth_kib(
        self, kind, sizes, [&](const Endpoint& server) { raw_pipelined(server, workload, sizes.pipelined); });
}

}  // namespace

RunFigures run_suite(const Sizes& sizes, const std::string& self) {
    RunFigures figures;
    for (auto& row : figures) {
        row.fill(std::numeric_limits<double>::quiet_NaN());
    }
    const Workload workload = Workload::echo();
    {
        RawServer raw(sizes.max_line_length);
        raw.start();
        measure_with_raw_client(figures, Setup::raw_baseline, raw.port(), sizes, workload);
    }
    {
        const auto server = make_echo_server(sizes.max_line_length);
        server->start();
        measure_with_raw_client(figures, Setup::oneline_raw_client, server->port(), sizes, workload);
        measure_with_client(figures, server->port(), sizes, workload);
    }
    measure_memory(figures, Setup::raw_baseline, "raw", sizes, workload, self);
    measure_memory(figures, Setup::oneline_raw_client, "oneline", sizes, workload, self);
    return figures;
}

void serve_child(const std::string& kind, std::size_t max_line_length) {
    if (kind == "raw") {
        RawServer server(max_line_length);
        std::printf("port %u\n", static_cast<unsigned>(server.port()));
        std::fflush(stdout);
        server.serve_forever();
    } else if (kind == "oneline") {
        const auto server = make_echo_server(max_line_length);
        std::printf("port %u\n", static_cast<unsigned>(server->port()));
        std::fflush(stdout);
        server->serve_forever();
    } else {
        throw std::invalid_argument("--serve takes 'oneline' or 'raw', not '" + kind + "'");
    }
}

}  // namespace oneline::bench
