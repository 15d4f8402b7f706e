#pragma once

#include <oneline/faults.hpp>

#include <CLI/CLI.hpp>

#include <string>

namespace oneline::cli {

/// Adds `--fault KIND=VALUE` (repeatable; a kind given again replaces its value) and
/// `--fault-seed N` to `command`; the values given fill `faults`, which must outlive the parse.
/// A bad kind or value is a usage error naming it.
void add_fault_options(CLI::App& command, Faults& faults);

/// Sets the fault `text` ("delay=50", "delay=10-200", "drop=0.1", "truncate=0.5", "close-after=3",
/// "reset-after=3", "stall-after=3") in `faults`. Returns what is wrong with it, or empty when
/// nothing is (then `faults` is changed).
std::string apply_fault(const std::string& text, Faults& faults);

}  // namespace oneline::cli
