#pragma once

// Drives the real LineFramer and the reference model with the same options
// and the same chunking of one input, and describes the first disagreement.
// Shared by the fuzz target and the unit test that replays the seed corpus.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "framer_model.hpp"
#include "framing/line_framer.hpp"

namespace oneline::fuzz {

/// How the first bytes of an input configure a run.
///
/// byte 0: bits 0-1 byte rule (0 ascii, 1 utf8, 2 any, 3 utf8), bit 2 keep_cr,
///         bit 3 allow reset() between feeds, bits 4-7 stop after that many
///         lines (0: never);
/// byte 1: max_line_length (255: the 1 MiB default, else the value mod 64);
/// bytes 2-3: seed of the chunking; the rest is the byte stream.
struct CheckPlan {
    framing::FramerOptions options;
    ModelOptions model_options;
    bool allow_reset = false;
    std::size_t stop_after = 0;
    std::uint32_t seed = 1;
    std::string_view stream;
};

inline constexpr std::size_t kPlanHeaderSize = 4;

inline CheckPlan make_plan(const std::uint8_t* data, std::size_t size) {
    CheckPlan plan;
    std::uint8_t header[kPlanHeaderSize] = {};
    for (std::size_t i = 0; i < kPlanHeaderSize && i < size; ++i) {
        header[i] = data[i];
    }
    switch (header[0] & 0x03U) {
        case 0:
            plan.options.byte_rule = framing::ByteRule::ascii;
            plan.model_options.rule = ModelRule::ascii;
            break;
        case 2:
            plan.options.byte_rule = framing::ByteRule::any;
            plan.model_options.rule = ModelRule::any;
            break;
        default:
            plan.options.byte_rule = framing::ByteRule::utf8;
            plan.model_options.rule = ModelRule::utf8;
            break;
    }
    plan.options.keep_cr = plan.model_options.keep_cr = (header[0] & 0x04U) != 0;
    plan.allow_reset = (header[0] & 0x08U) != 0;
    plan.stop_after = header[0] >> 4U;
    plan.options.max_line_length = header[1] == 0xFFU ? std::size_t{1024} * 1024 : header[1] % 64U;
    plan.model_options.max_line_length = plan.options.max_line_length;
    // Never zero, so that the xorshift sequence does not collapse.
    plan.seed = ((static_cast<std::uint32_t>(header[2]) << 8U) | header[3]) * 2654435761U | 1U;
    if (size > kPlanHeaderSize) {
        plan.stream = std::string_view(reinterpret_cast<const char*>(data) + kPlanHeaderSize, size - kPlanHeaderSize);
    }
    return plan;
}

/// Printable form of bytes for mismatch reports.
inline std::string escaped(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20U && byte < 0x7FU && byte != '\\') {
            out.push_back(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", byte);
            out += hex;
        }
    }
    return out;
}

inline std::string describe(const std::vector<ModelLine>& lines) {
    std::string out = "[";
    for (const ModelLine& line : lines) {
        out += " \"" + escaped(line.text) + (line.invalid ? "\"(invalid)" : "\"");
    }
    return out + " ]";
}

inline const char* status_name(ModelStatus status) {
    switch (status) {
        case ModelStatus::ok: return "ok";
        case ModelStatus::line_too_long: return "line_too_long";
        case ModelStatus::stopped: return "stopped";
    }
    return "?";
}

/// One side's outcome of a feed, for mismatch reports.
inline std::string describe_feed(const char* who, ModelStatus status, const std::vector<ModelLine>& lines,
                                 bool partial) {
    return std::string("\n  ") + who + " " + status_name(status) + " " + describe(lines) +
           (partial ? " partial line held" : " no partial line");
}

inline ModelStatus as_model_status(framing::LineFramer::Status status) {
    switch (status) {
        case framing::LineFramer::Status::ok: return ModelStatus::ok;
        case framing::LineFramer::Status::line_too_long: return ModelStatus::line_too_long;
        case framing::LineFramer::Status::stopped: return ModelStatus::stopped;
    }
    return ModelStatus::ok;
}

/// Runs one input through framer and model; returns "" when they agree,
/// else what differed.
inline std::string check_framer_against_model(const std::uint8_t* data, std::size_t size) {
    const CheckPlan plan = make_plan(data, size);
    framing::LineFramer framer(plan.options);
    FramerModel model(plan.model_options);
    std::uint32_t random = plan.seed;
    const auto next_random = [&random] {
        random ^= random << 13U;
        random ^= random >> 17U;
        random ^= random << 5U;
        return random;
    };
    std::size_t framer_count = 0;
    std::size_t model_count = 0;
    std::size_t position = 0;
    // Empty feeds and resets do not advance, so bound the number of steps.
    const std::size_t max_steps = 4 * plan.stream.size() + 64;
    for (std::size_t step = 0; step < max_steps && position < plan.stream.size(); ++step) {
        const std::uint32_t r = next_random();
        const std::size_t left = plan.stream.size() - position;
        std::size_t length = 0;
        switch (r % 8U) {
            case 0: length = left; break;
            case 1: length = 0; break;
            case 2:
                if (plan.allow_reset) {
                    framer.reset();
                    model.reset();
                    continue;
                }
                length = 1;
                break;
            default: length = 1 + (r >> 8U) % ((r & 0x10U) != 0 ? 4U : 80U); break;
        }
        length = length < left ? length : left;
        // A buffer of exactly the chunk's size, so that reading past it is caught.
        const std::vector<char> chunk(plan.stream.begin() + static_cast<std::ptrdiff_t>(position),
                                      plan.stream.begin() + static_cast<std::ptrdiff_t>(position + length));
        const std::string_view bytes(chunk.data(), chunk.size());

        std::vector<ModelLine> framer_lines;
        const auto framer_status = as_model_status(framer.feed(bytes, [&](std::string_view line, bool invalid) {
            framer_lines.push_back(ModelLine{std::string(line), invalid});
            return ++framer_count != plan.stop_after;
        }));
        std::vector<ModelLine> model_lines;
        const auto [model_status, consumed] = model.feed(bytes, [&](const ModelLine& line) {
            model_lines.push_back(line);
            return ++model_count != plan.stop_after;
        });

        const bool partial_differs = !model.stuck() && framer.has_partial_line() != model.has_partial_line();
        if (framer_status != model_status || framer_lines != model_lines || partial_differs) {
            return "feed at offset " + std::to_string(position) + " of \"" + escaped(bytes) + "\" (rule " +
                   std::to_string(data[0] & 0x03U) + ", keep_cr " + std::to_string(plan.options.keep_cr) +
                   ", max_line_length " + std::to_string(plan.options.max_line_length) + ", stop_after " +
                   std::to_string(plan.stop_after) +
                   "):" + describe_feed("framer", framer_status, framer_lines, framer.has_partial_line()) +
                   describe_feed("model ", model_status, model_lines, model.has_partial_line());
        }
        // After a stop the caller feeds the unconsumed rest again.
        position += model_status == ModelStatus::stopped ? consumed : length;
    }
    return {};
}

}  // namespace oneline::fuzz
