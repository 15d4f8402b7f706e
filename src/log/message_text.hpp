#pragma once

// How messages and log lines show a command, a response or a duration: one rule for the library,
// the handler and the tool, so that a long or binary line never makes a message long or split.

#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>

namespace oneline::text {

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

/// `text` with each control byte (below 0x20, and 0x7F) written as \xNN, so that a client's command
/// logged on a terminal can neither move the cursor nor split the line.
inline std::string printable(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string shown;
    shown.reserve(text.size());
    for (const char byte : text) {
        const auto code = static_cast<unsigned char>(byte);
        if (code < 0x20 || code == 0x7F) {
            shown.append("\\x").push_back(kHex[code >> 4]);
            shown.push_back(kHex[code & 0xF]);
        } else {
            shown.push_back(byte);
        }
    }
    return shown;
}

/// `text` quoted and cut, its control bytes as \xNN: what a message shows of a command or response.
inline std::string shown(std::string_view text) { return printable(quoted(text)); }

/// `duration` for a message: "5 s", "0.25 s".
inline std::string seconds_text(std::chrono::milliseconds duration) {
    std::ostringstream text;
    text << static_cast<double>(duration.count()) / 1000.0 << " s";
    return text.str();
}

}  // namespace oneline::text
