#pragma once

#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>

namespace oneline::transcript {

/// How many bytes of a command or a response a checker's message repeats; the rest is summarised by
/// its length, as the tool's messages do, so that a 2 MB response gives a one-line message.
inline constexpr std::size_t kShownBytes = 60;

/// `text` for a message: in single quotes, each control byte (below 0x20, and 0x7F) as \xNN so that
/// the message stays one line on a terminal, cut to its first kShownBytes bytes and "... (N bytes)".
inline std::string shown(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::string_view head = text.substr(0, kShownBytes);
    std::string out = "'";
    for (const char byte : head) {
        const auto code = static_cast<unsigned char>(byte);
        if (code < 0x20 || code == 0x7F) {
            out.append("\\x").push_back(kHex[code >> 4]);
            out.push_back(kHex[code & 0xF]);
        } else {
            out.push_back(byte);
        }
    }
    if (head.size() < text.size()) {
        return out + "...' (" + std::to_string(text.size()) + " bytes)";
    }
    return out + "'";
}

/// `duration` for a message: "5 s", "0.25 s".
inline std::string seconds_text(std::chrono::milliseconds duration) {
    std::ostringstream text;
    text << static_cast<double>(duration.count()) / 1000.0 << " s";
    return text.str();
}

}  // namespace oneline::transcript
