#pragma once

#include <CLI/CLI.hpp>

namespace oneline::cli {

/// Registers `oneline ping`: connects, times one `ping` -> `pong` round trip
/// and prints `pong from ADDRESS:PORT in N ms`.
void add_ping_command(CLI::App& app);

}  // namespace oneline::cli
