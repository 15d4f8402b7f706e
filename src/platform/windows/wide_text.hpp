#pragma once

// UTF-8 (the tool's text everywhere) to and from UTF-16 (the Win32 API's). Included by
// src/platform/ only.
#include <string>
#include <string_view>

namespace oneline::platform::windows {

/// `text` in UTF-16; bytes that are not UTF-8 become U+FFFD. Throws std::bad_alloc only.
std::wstring to_wide(std::string_view text);

/// `text` in UTF-8; unpaired surrogates become U+FFFD. Throws std::bad_alloc only.
std::string to_utf8(std::wstring_view text);

}  // namespace oneline::platform::windows
