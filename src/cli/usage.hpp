#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::cli {

/// The one line printed for a usage error on `tool` (the top-level app, after a failed parse):
/// "oneline SUBCOMMAND: WHAT (see 'oneline SUBCOMMAND --help')", naming the option as in --help
/// ("-t,--timeout"), the unknown word and the closest known one, or the missing subcommand.
std::string usage_error(const CLI::App& tool, const CLI::Error& error);

/// The candidate closest to `word` when it is close enough to be a likely typo (a few edits, or
/// `word` begins exactly one candidate); empty otherwise.
std::string closest_word(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace oneline::cli
