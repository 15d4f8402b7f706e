#pragma once

#include <CLI/CLI.hpp>

namespace oneline::cli {

/// Registers `oneline client`: connects, sends each CMD (or each stdin line),
/// prints `-n` responses per command on stdout, and says `disconnect` at the
/// end unless it already said `disconnect` or `shutdown`.
void add_client_command(CLI::App& app);

}  // namespace oneline::cli
