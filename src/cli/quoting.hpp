#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace oneline::cli {

/// How many bytes of a command a message repeats; the rest is summarised by its length, so a
/// 2 MB command that fails gives a one-line message, not a 2 MB one.
inline constexpr std::size_t kQuotedBytes = 60;

/// `text` in single quotes for a message: whole when short, else its first kQuotedBytes bytes
/// followed by "... (N bytes)".
inline std::string quoted(std::string_view text) {
    if (text.size() <= kQuotedBytes) {
        return "'" + std::string(text) + "'";
    }
    return "'" + std::string(text.substr(0, kQuotedBytes)) + "...' (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace oneline::cli
