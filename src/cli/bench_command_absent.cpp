// The build for platforms without the benchmark's load clients (bench/support forks a child server
// and uses raw POSIX sockets): no `bench` subcommand there.
#include "cli/bench_command.hpp"

namespace oneline::cli {

void add_bench_command(CLI::App&) {}

}  // namespace oneline::cli
