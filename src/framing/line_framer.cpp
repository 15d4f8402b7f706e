#include "framing/line_framer.hpp"

#include <cstdint>

namespace oneline::framing {
namespace {

bool all_ascii(std::string_view text) noexcept {
    // OR-ing every byte vectorises well; most lines are pure ASCII and leave
    // through here without a copy.
    unsigned char seen = 0;
    for (const char c : text) {
        seen |= static_cast<unsigned char>(c);
    }
    return (seen & 0x80U) == 0;
}

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0U) == 0x80U; }

/// Length of the well-formed UTF-8 sequence starting at `text[0]`, or 0 when
/// none starts there (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead < 0x80U) {
        return 1;
    }
    if (lead >= 0xC2U && lead <= 0xDFU) {
        length = 2;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        length = 3;
        if (lead == 0xE0U) {
            second_min = 0xA0;  // overlong below U+0800
        } else if (lead == 0xEDU) {
            second_max = 0x9F;  // surrogates U+D800..U+DFFF
        }
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        length = 4;
        if (lead == 0xF0U) {
            second_min = 0x90;  // overlong below U+10000
        } else if (lead == 0xF4U) {
            second_max = 0x8F;  // above U+10FFFF
        }
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < second_min || byte(1) > second_max) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (!is_continuation(byte(i))) {
            return 0;
        }
    }
    return length;
}

}  // namespace

void LineFramer::reset() noexcept {
    partial_.clear();
    partial_length_ = 0;
    too_long_ = false;
}

std::string_view LineFramer::decode(std::string_view raw, bool& invalid) {
    if (!options_.keep_cr && !raw.empty() && raw.back() == '\r') {
        raw.remove_suffix(1);
    }
    invalid = false;
    if (options_.byte_rule == ByteRule::any || all_ascii(raw)) {
        return raw;
    }
    decoded_.clear();
    if (options_.byte_rule == ByteRule::ascii) {
        for (const char c : raw) {
            if ((static_cast<unsigned char>(c) & 0x80U) == 0) {
                decoded_.push_back(c);
            }
        }
        invalid = true;
        return decoded_;
    }
    while (!raw.empty()) {
        const std::size_t length = utf8_sequence_length(raw);
        if (length == 0) {
            invalid = true;
            raw.remove_prefix(1);
        } else {
            decoded_.append(raw.substr(0, length));
            raw.remove_prefix(length);
        }
    }
    return decoded_;
}

}  // namespace oneline::framing
