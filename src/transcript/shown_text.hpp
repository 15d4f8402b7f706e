#pragma once

// The checker's messages show commands and responses as the tool's do (log/message_text.hpp).
#include "log/message_text.hpp"

namespace oneline::transcript {

using text::seconds_text;
using text::shown;

}  // namespace oneline::transcript
