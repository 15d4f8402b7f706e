#pragma once

// The tool's messages show commands as the library's do (log/message_text.hpp).
#include "log/message_text.hpp"

namespace oneline::cli {

using text::kQuotedBytes;
using text::printable;
using text::quoted;

}  // namespace oneline::cli
