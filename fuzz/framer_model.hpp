#pragma once

// A reference model of the line framing rules, written for checking, not for
// speed: it looks at one byte at a time and decodes UTF-8 by computing code
// points, so that each rule of the protocol reads as one plain statement.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oneline::fuzz {

/// What the model keeps of a line's bytes.
enum class ModelRule { ascii, utf8, any };

/// The framing options, as the model sees them.
struct ModelOptions {
    std::size_t max_line_length = 0;
    bool keep_cr = false;
    ModelRule rule = ModelRule::ascii;
};

/// One line handed to the sink: the decoded bytes and whether any were dropped.
struct ModelLine {
    std::string text;
    bool invalid = false;

    friend bool operator==(const ModelLine& a, const ModelLine& b) {
        return a.text == b.text && a.invalid == b.invalid;
    }
};

/// How a feed ended, mirroring the framer's statuses.
enum class ModelStatus { ok, line_too_long, stopped };

/// Length of the well-formed UTF-8 sequence at the start of `bytes`, or 0.
///
/// Decodes the code point from the lead byte's pattern and the continuation
/// bytes, then rejects overlong forms, surrogates and values past U+10FFFF.
inline std::size_t model_utf8_length(std::string_view bytes) {
    const auto at = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
    const std::uint32_t lead = at(0);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t smallest = 0;
    if ((lead & 0x80U) == 0x00U) {
        return 1;
    }
    if ((lead & 0xE0U) == 0xC0U) {
        length = 2;
        code_point = lead & 0x1FU;
        smallest = 0x80;
    } else if ((lead & 0xF0U) == 0xE0U) {
        length = 3;
        code_point = lead & 0x0FU;
        smallest = 0x800;
    } else if ((lead & 0xF8U) == 0xF0U) {
        length = 4;
        code_point = lead & 0x07U;
        smallest = 0x10000;
    } else {
        return 0;  // a continuation byte or 0xF8..0xFF cannot lead
    }
    if (bytes.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((at(i) & 0xC0U) != 0x80U) {
            return 0;
        }
        code_point = (code_point << 6U) | (at(i) & 0x3FU);
    }
    const bool overlong = code_point < smallest;
    const bool surrogate = code_point >= 0xD800U && code_point <= 0xDFFFU;
    const bool too_big = code_point > 0x10FFFFU;
    return overlong || surrogate || too_big ? 0 : length;
}

/// Decodes one complete raw line (its 0x0A excluded) by the model's rules.
inline ModelLine model_decode(std::string raw, const ModelOptions& options) {
    if (!options.keep_cr && !raw.empty() && raw.back() == '\r') {
        raw.pop_back();
    }
    ModelLine line;
    std::size_t i = 0;
    while (i < raw.size()) {
        std::size_t keep = 1;
        if (options.rule == ModelRule::ascii) {
            keep = static_cast<unsigned char>(raw[i]) < 0x80U ? 1 : 0;
        } else if (options.rule == ModelRule::utf8) {
            keep = model_utf8_length(std::string_view(raw).substr(i));
        }
        if (keep == 0) {
            line.invalid = true;
            ++i;
        } else {
            line.text.append(raw, i, keep);
            i += keep;
        }
    }
    return line;
}

/// The framer as a byte-at-a-time state machine.
class FramerModel {
public:
    explicit FramerModel(ModelOptions options) : options_(options) {}

    /// Feeds `bytes`; `sink(const ModelLine&)` returns false to stop. Returns
    /// the status and how many bytes were consumed (all of them unless stopped).
    template <class Sink>
    std::pair<ModelStatus, std::size_t> feed(std::string_view bytes, Sink&& sink) {
        if (stuck_) {
            return {ModelStatus::line_too_long, 0};
        }
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const char byte = bytes[i];
            if (byte == '\n') {
                const ModelLine line = model_decode(std::move(current_), options_);
                current_.clear();
                if (!sink(line)) {
                    return {ModelStatus::stopped, i + 1};
                }
                continue;
            }
            current_.push_back(byte);
            if (current_.size() > options_.max_line_length) {
                stuck_ = true;
                return {ModelStatus::line_too_long, i + 1};
            }
        }
        return {ModelStatus::ok, bytes.size()};
    }

    /// Forgets the unfinished line and the error.
    void reset() {
        current_.clear();
        stuck_ = false;
    }

    /// True when an unfinished line is held (meaningless once stuck).
    bool has_partial_line() const { return !current_.empty(); }
    /// True after a line passed the limit, until reset().
    bool stuck() const { return stuck_; }

private:
    ModelOptions options_;
    std::string current_;
    bool stuck_ = false;
};

}  // namespace oneline::fuzz
