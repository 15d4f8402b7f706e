#include "report.hpp"

#include "load/stats.hpp"

#include <cmath>
#include <string>

namespace oneline::bench {
namespace {

struct RowInfo {
    const char* name;
    const char* format;  // printf format of one figure
};

constexpr RowInfo kRows[kMetricCount] = {
    {"round trip, median (us)", "%.1f"},        {"round trip, p99 (us)", "%.1f"},
    {"pipelined (commands/s)", "%.0f"},         {"churn (cycles/s)", "%.0f"},
    {"flood 0x0A-less: peak RSS +KiB", "%.0f"}, {"pipelined: peak RSS +KiB", "%.0f"},
};

constexpr const char* kSetupNames[kSetupCount] = {"raw baseline", "oneline, raw client", "oneline::Client"};

double figure(const RunFigures& run, Metric metric, Setup setup) {
    return run[static_cast<std::size_t>(metric)][static_cast<std::size_t>(setup)];
}

double median_figure(const std::vector<RunFigures>& runs, Metric metric, Setup setup) {
    std::vector<double> values;
    for (const RunFigures& run : runs) {
        values.push_back(figure(run, metric, setup));
    }
    return std::isnan(values.front()) ? values.front() : median(values);
}

double median_ratio(const std::vector<RunFigures>& runs, Metric metric, Setup setup) {
    std::vector<double> ratios;
    for (const RunFigures& run : runs) {
        const double base = figure(run, metric, Setup::raw_baseline);
        const double value = figure(run, metric, setup);
        if (std::isnan(value) || base <= 0) {
            return std::nan("");
        }
        ratios.push_back(value / base);
    }
    return median(ratios);
}

std::string cell(const RowInfo& row, double value, double ratio) {
    if (std::isnan(value)) {
        return "-";
    }
    char text[64];
    std::snprintf(text, sizeof text, row.format, value);
    std::string result = text;
    if (!std::isnan(ratio)) {
        std::snprintf(text, sizeof text, " (%.2fx)", ratio);
        result += text;
    }
    return result;
}

struct Goal {
    Metric metric;
    Setup setup;
    const char* text;
    bool met;
};

}  // namespace

void print_run_line(std::FILE* out, std::size_t index, const RunFigures& figures) {
    const std::vector<RunFigures> one{figures};
    std::fprintf(out, "run %zu: rtt median %.2fx/%.2fx, pipelined %.2fx/%.2fx, churn %.2fx/%.2fx, flood +%.0f KiB\n",
                 index, median_ratio(one, Metric::rtt_median, Setup::oneline_raw_client),
                 median_ratio(one, Metric::rtt_median, Setup::oneline_client),
                 median_ratio(one, Metric::pipelined, Setup::oneline_raw_client),
                 median_ratio(one, Metric::pipelined, Setup::oneline_client),
                 median_ratio(one, Metric::churn, Setup::oneline_raw_client),
                 median_ratio(one, Metric::churn, Setup::oneline_client),
                 figure(figures, Metric::flood_memory, Setup::oneline_raw_client));
    std::fflush(out);
}

bool print_table(std::FILE* out, const std::vector<RunFigures>& runs, const Sizes& sizes) {
    std::fprintf(out,
                 "\n%zu round trips, %zu pipelined commands, %zu churn cycles, %zu MiB flood, max line %zu bytes; "
                 "%zu run(s), medians; ratio = oneline / raw baseline\n\n",
                 sizes.round_trips, sizes.pipelined, sizes.churn, sizes.flood_bytes / (1024 * 1024),
                 sizes.max_line_length, runs.size());
    std::fprintf(out, "%-32s %16s %22s %22s\n", "", kSetupNames[0], kSetupNames[1], kSetupNames[2]);
    for (std::size_t m = 0; m < kMetricCount; ++m) {
        const auto metric = static_cast<Metric>(m);
        std::fprintf(out, "%-32s", kRows[m].name);
        for (std::size_t s = 0; s < kSetupCount; ++s) {
            const auto setup = static_cast<Setup>(s);
            const double ratio = s == 0 ? std::nan("") : median_ratio(runs, metric, setup);
            std::fprintf(out, " %*s", s == 0 ? 16 : 22,
                         cell(kRows[m], median_figure(runs, metric, setup), ratio).c_str());
        }
        std::fprintf(out, "\n");
    }

    const double memory_limit_kib = (2.0 * static_cast<double>(sizes.max_line_length) + 1024 * 1024) / 1024;
    const auto ratio = [&](Metric metric, Setup setup) { return median_ratio(runs, metric, setup); };
    const Goal goals[] = {
        {Metric::rtt_median, Setup::oneline_raw_client, "round trip median <= 1.10x raw",
         ratio(Metric::rtt_median, Setup::oneline_raw_client) <= 1.10},
        {Metric::pipelined, Setup::oneline_raw_client, "pipelined throughput >= 0.30x raw",
         ratio(Metric::pipelined, Setup::oneline_raw_client) >= 0.30},
        {Metric::pipelined, Setup::oneline_client, "pipelined (oneline::Client) >= 0.30x raw",
         ratio(Metric::pipelined, Setup::oneline_client) >= 0.30},
        {Metric::churn, Setup::oneline_client, "churn (oneline::Client) >= 0.8x raw",
         ratio(Metric::churn, Setup::oneline_client) >= 0.8},
        {Metric::flood_memory, Setup::oneline_raw_client, "flood peak RSS growth <= 2 x max line + 1 MiB",
         median_figure(runs, Metric::flood_memory, Setup::oneline_raw_client) <= memory_limit_kib},
    };
    std::fprintf(out, "\ngoals:\n");
    bool all_met = true;
    for (const Goal& goal : goals) {
        std::fprintf(out, "  %-48s %s\n", goal.text, goal.met ? "met" : "MISSED");
        all_met = all_met && goal.met;
    }
    std::fprintf(out, "(absolute figures vary from machine to machine and with load; compare the ratios)\n");
    return all_met;
}

}  // namespace oneline::bench
