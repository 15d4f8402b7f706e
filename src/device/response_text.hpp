#pragma once

// The text of a device file's responses as pyvisa-sim reads it: its escapes and BYTES(...), and the
// RANDOM(min, max, n) directive.

#include "device/device_engine.hpp"

#include <string>
#include <string_view>

namespace oneline::device {

/// pyvisa-sim's to_bytes: "\\r" and "\\n" written as two characters become CR and LF, and each
/// BYTES(...) becomes the bytes its characters (U+0000..U+00FF) stand for. Throws
/// std::invalid_argument for a BYTES character above U+00FF.
std::string expand_escapes(std::string_view text);

/// Compiles a response that holds "RANDOM" (pyvisa-sim's directive); throws std::invalid_argument
/// when the directive is malformed.
RandomResponse compile_random(std::string_view response);

}  // namespace oneline::device
