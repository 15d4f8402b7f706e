#pragma once

#include <string>
#include <string_view>

namespace oneline::handler {

/// The failure response a handler's client gets by default ("error: handler timed out after 2 s").
inline constexpr std::string_view default_failure_response = "error: handler {reason}";

/// `pattern` with each `{reason}` replaced by `reason`, and any line break made a space: a
/// response is one line.
std::string failure_response_for(std::string_view pattern, std::string_view reason);

}  // namespace oneline::handler
