#pragma once

#include <CLI/CLI.hpp>

namespace oneline::cli {

/// Registers `oneline server`: serves in the foreground until a client sends
/// `shutdown` or a stop request arrives (SIGINT, SIGTERM, SIGHUP or SIGQUIT;
/// on Windows Ctrl-C, Ctrl-Break or closing the console), exit 0 either way,
/// answering with `--echo` (the default) or `--exec CMD`. Exits 1 with the
/// reason when serving itself fails.
void add_server_command(CLI::App& app);

}  // namespace oneline::cli
