// oneline_bench: the library against a raw-socket baseline, side by side.
// See README.md in this folder.

#include "report.hpp"
#include "serving.hpp"
#include "stepping.hpp"
#include "suite.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using namespace oneline::bench;
    CLI::App app{"Measures oneline::Server and oneline::Client against a raw-socket baseline"};
    Sizes sizes;
    std::size_t runs = 1;
    std::size_t flood_mib = sizes.flood_bytes / (1024 * 1024);
    bool quick = false;
    std::string serve;
    bool serving = false;
    bool check = false;
    ServingSizes serving_sizes;
    std::string tool = ONELINE_BENCH_TOOL;
    CheckThresholds thresholds;
    app.add_flag("--quick", quick, "Tiny workload that only checks the answers (CI smoke run)");
    app.add_option("--runs", runs, "Repeat the whole run; print medians")->check(CLI::Range(1, 100));
    app.add_option("--round-trips", sizes.round_trips, "Sequential command/answer pairs")->capture_default_str();
    app.add_option("--pipelined", sizes.pipelined, "Pipelined commands")->capture_default_str();
    app.add_option("--window", sizes.window, "oneline::Client: commands sent before reading")->capture_default_str();
    app.add_option("--churn", sizes.churn, "Connect/handshake/disconnect cycles")->capture_default_str();
    app.add_option("--flood-mib", flood_mib, "MiB streamed without a line feed")->capture_default_str();
    app.add_option("--max-line", sizes.max_line_length, "Servers' maximum line length (bytes)")->capture_default_str();
    app.add_flag("--serving", serving,
                 "Only the serving path: the raw baseline, the library and `oneline server` in their own processes");
    app.add_flag("--check", check, "The guard: fail when the tool's pipelined ratio to the raw baseline is too low")
        ->excludes("--serving");
    app.add_option("--tool", tool, "The `oneline` tool measured by --serving and --check")->capture_default_str();
    app.add_option("--rounds", serving_sizes.rounds, "Interleaved rounds of --serving and --check")
        ->check(CLI::Range(1, 101))
        ->capture_default_str();
    app.add_option("--serving-per-command", serving_sizes.per_command,
                   "--serving: commands pipelined a write each (0: none)")
        ->capture_default_str();
    app.add_option("--serving-blocks", serving_sizes.blocks,
                   "--serving and --check: commands pipelined in 64 KiB writes")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000'000}))
        ->capture_default_str();
    app.add_option("--serving-round-trips", serving_sizes.round_trips, "--serving: round trips (0: none)")
        ->capture_default_str();
    app.add_option("--threshold", thresholds.throughput, "--check fails when the throughput ratio is below this")
        ->capture_default_str();
    app.add_option("--cpu-threshold", thresholds.cpu, "--check fails when the server CPU ratio is above this")
        ->capture_default_str();
    app.add_option("--serve", serve, "Internal: serve 'oneline' or 'raw' and print the port")->group("");
    CLI11_PARSE(app, argc, argv);

    try {
        if (!serve.empty()) {
            serve_child(serve, sizes.max_line_length);
            return 0;
        }
        if (check) {
            return check_serving(stdout, serving_sizes, "/proc/self/exe", tool, thresholds) ? 0 : 1;
        }
        if (serving) {
            const std::vector<Served> all{Served::raw_baseline, Served::library, Served::tool, Served::tool_verbose};
            print_serving(stdout, run_serving(serving_sizes, all, "/proc/self/exe", tool), serving_sizes);
            return 0;
        }
        sizes.flood_bytes = flood_mib * 1024 * 1024;
        if (quick) {
            sizes = Sizes{200, 20'000, 100, 50, 4 * 1024 * 1024, 64 * 1024};
            runs = 1;
        }
        std::vector<RunFigures> results;
        std::vector<SteppingFigures> stepping;
        for (std::size_t i = 1; i <= runs; ++i) {
            results.push_back(run_suite(sizes, "/proc/self/exe"));
            stepping.push_back(run_stepping(sizes));
            if (runs > 1) {
                print_run_line(stdout, i, results.back());
            }
        }
        print_table(stdout, results, sizes);
        print_stepping(stdout, stepping);
        if (quick) {
            std::printf("quick run: every answer checked and correct\n");
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "oneline_bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
