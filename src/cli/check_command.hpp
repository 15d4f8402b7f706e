#pragma once

#include <CLI/CLI.hpp>

namespace oneline::cli {

/// Registers `oneline check`: reads every TRANSCRIPT (and --srs), refusing malformed input before
/// anything is sent, runs each file's cases against the server, prints a line per case and a
/// tally, and writes --junit and --trace. Exit 0 when every case passed, 1 when one failed (or an
/// automatic requirement is unverified), 2 for bad usage or a malformed file.
void add_check_command(CLI::App& app);

}  // namespace oneline::cli
