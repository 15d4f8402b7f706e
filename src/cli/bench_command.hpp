#pragma once

#include <CLI/CLI.hpp>

namespace oneline::cli {

/// Registers `oneline bench`: measures a running server (any oneline server)
/// with the benchmark's load clients: round-trip time (raw socket and
/// oneline::Client), pipelined throughput and connection churn. Every answer
/// is checked; a wrong or missing one fails the command (exit 1). Registers
/// nothing where the load clients are not built (Windows).
void add_bench_command(CLI::App& app);

}  // namespace oneline::cli
