#include "cli/bench_command.hpp"

#include "cli/options.hpp"

#include "load/client_load.hpp"
#include "load/raw_load.hpp"
#include "load/stats.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "bench";

struct BenchOptions {
    Endpoint endpoint;
    std::size_t round_trips = 20'000;
    std::size_t pipelined = 1'000'000;
    std::size_t churn = 2'000;
    std::string command = "ping";
    std::string expect = "pong";
};

void print_latency(const char* who, std::vector<std::chrono::nanoseconds> samples) {
    const bench::LatencySummary summary = bench::summarize(samples);
    std::printf("  round trip, %-17s median %8.1f us   p99 %8.1f us\n", who, summary.median_us, summary.p99_us);
}

void run_bench(const BenchOptions& options) {
    // Against an unknown server the only answer known in advance is the
    // built-in ping -> pong, hence the default workload.
    const bench::Workload workload = bench::Workload::fixed(options.command, options.expect);
    // "unix:PATH", a host name or an IPv4/IPv6 literal (bracketed or not), as every subcommand takes it.
    const std::string& host = options.endpoint.address;
    const std::uint16_t port = options.endpoint.port_number();
    try {
        const bench::Endpoint server = bench::resolve(host, port);
        std::printf("oneline bench %s: '%s' -> '%s'; %zu round trips, %zu pipelined commands, %zu churn cycles\n",
                    options.endpoint.text().c_str(), options.command.c_str(), options.expect.c_str(),
                    options.round_trips, options.pipelined, options.churn);
        print_latency("raw socket:", bench::raw_round_trips(server, workload, options.round_trips));
        print_latency("oneline::Client:", bench::client_round_trips(host, port, workload, options.round_trips));
        std::printf("  pipelined, raw socket:        %12.0f commands/s\n",
                    bench::raw_pipelined(server, workload, options.pipelined));
        std::printf("  churn, raw socket:            %12.0f connect+ping+disconnect/s\n",
                    bench::raw_churn(server, options.churn));
        std::printf("  churn, oneline::Client:       %12.0f connect+ping+disconnect/s\n",
                    bench::client_churn(host, port, options.churn));
        std::printf("every answer checked; absolute figures vary from machine to machine\n");
        std::fflush(stdout);
    } catch (const std::exception& error) {
        fail(kName, error.what());
    }
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto options = std::make_shared<BenchOptions>();
    CLI::App* command =
        app.add_subcommand(std::string(kName), "Measure a running server: round trip, pipelined throughput, churn");
    add_endpoint_options(*command, options->endpoint, PortUse::connect);
    // At least one of each: the summaries divide by the count.
    constexpr std::uint64_t kMost = 1'000'000'000;
    command->add_option("-n,--count", options->round_trips, "sequential round trips")
        ->type_name("COUNT")
        ->check(whole_number_check(1, kMost, "round trips"))
        ->capture_default_str();
    command->add_option("--pipelined", options->pipelined, "pipelined commands")
        ->type_name("COUNT")
        ->check(whole_number_check(1, kMost, "commands"))
        ->capture_default_str();
    command->add_option("--churn", options->churn, "connect/handshake/disconnect cycles")
        ->type_name("CYCLES")
        ->check(whole_number_check(1, kMost, "cycles"))
        ->capture_default_str();
    command->add_option("--command", options->command, "command to send")
        ->type_name("LINE")
        ->check(single_line_check())
        ->capture_default_str();
    command->add_option("--expect", options->expect, "the one answer the server gives to it")
        ->type_name("ANSWER")
        ->check(single_line_check())
        ->capture_default_str();
    command->callback([options] { run_guarded(kName, [&] { run_bench(*options); }); });
}

}  // namespace oneline::cli
