#pragma once

#include <CLI/CLI.hpp>

namespace oneline::cli {

/// Registers `oneline shutdown`: asks the server to stop and waits until it
/// has closed the connection.
void add_shutdown_command(CLI::App& app);

}  // namespace oneline::cli
