#pragma once

// `oneline server --replay TRANSCRIPT`: each command is answered with the responses a transcript
// recorded for it (see transcript::ReplayTable), and one it lacks with the failure response.

#include "cli/server_behaviour.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace oneline::cli {

/// Why a command gets the failure response: the {reason} of --failure-response.
inline constexpr std::string_view replay_failure_reason = "has no recorded answer";

/// Reads the transcript at `path` whole, before the server starts. A malformed file, or a `<~` or
/// `<*` line (nothing to send), ends `command_name` with one line naming FILE:LINE and exit 2; a
/// file that cannot be read, exit 1. `failure_response` is --failure-response ("" sends none).
std::unique_ptr<ServerBehaviour> replay_behaviour(const std::string& path, const std::string& failure_response,
                                                  std::string_view command_name);

}  // namespace oneline::cli
