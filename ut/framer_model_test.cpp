// Replays the fuzz target's check in the unit tests: the line framer must
// agree with the reference model on the committed seed corpus and on a
// bounded set of pseudo-random inputs; the model itself is pinned by examples.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "framer_check.hpp"
#include "framer_model.hpp"

namespace {

using oneline::fuzz::check_framer_against_model;
using oneline::fuzz::FramerModel;
using oneline::fuzz::ModelLine;
using oneline::fuzz::ModelOptions;
using oneline::fuzz::ModelRule;
using oneline::fuzz::ModelStatus;

std::string check(const std::vector<std::uint8_t>& input) {
    return check_framer_against_model(input.data(), input.size());
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Feeds the model in one piece and returns its lines.
std::vector<ModelLine> model_lines(ModelOptions options, std::string_view bytes,
                                   ModelStatus expected = ModelStatus::ok) {
    FramerModel model(options);
    std::vector<ModelLine> lines;
    const auto result = model.feed(bytes, [&](const ModelLine& line) {
        lines.push_back(line);
        return true;
    });
    EXPECT_EQ(result.first, expected);
    return lines;
}

TEST(FramerModel_Utf8, AcceptsWellFormedSequences_AndRejectsOverlongSurrogateAndOutOfRange) {
    using oneline::fuzz::model_utf8_length;
    EXPECT_EQ(model_utf8_length("a"), 1U);
    EXPECT_EQ(model_utf8_length("\xC3\xA9"), 2U);
    EXPECT_EQ(model_utf8_length("\xE2\x82\xAC"), 3U);
    EXPECT_EQ(model_utf8_length("\xED\x9F\xBF"), 3U);      // U+D7FF, just below the surrogates
    EXPECT_EQ(model_utf8_length("\xF4\x8F\xBF\xBF"), 4U);  // U+10FFFF
    EXPECT_EQ(model_utf8_length("\xC0\xAF"), 0U);          // overlong '/'
    EXPECT_EQ(model_utf8_length("\xE0\x9F\xBF"), 0U);      // overlong U+07FF
    EXPECT_EQ(model_utf8_length("\xF0\x8F\xBF\xBF"), 0U);  // overlong U+FFFF
    EXPECT_EQ(model_utf8_length("\xED\xA0\x80"), 0U);      // U+D800
    EXPECT_EQ(model_utf8_length("\xF4\x90\x80\x80"), 0U);  // U+110000
    EXPECT_EQ(model_utf8_length("\xE2\x82"), 0U);          // truncated
    EXPECT_EQ(model_utf8_length("\x80"), 0U);              // lone continuation
    EXPECT_EQ(model_utf8_length("\xF8\x88\x80\x80\x80"), 0U);
}

TEST(FramerModel_Rules, SplitsDropsCrAndFlagsInvalidBytes) {
    ModelOptions options;
    options.max_line_length = 64;
    const std::vector<ModelLine> ascii = model_lines(options, "ping\r\npi\xFFng\n\r\r\nx\rz\n");
    EXPECT_EQ(ascii, (std::vector<ModelLine>{{"ping", false}, {"ping", true}, {"\r", false}, {"x\rz", false}}));

    options.keep_cr = true;
    EXPECT_EQ(model_lines(options, "a\r\n"), (std::vector<ModelLine>{{"a\r", false}}));

    options.keep_cr = false;
    options.rule = ModelRule::utf8;
    EXPECT_EQ(model_lines(options, "caf\xC3\xA9\n\xE2\x82\r\n\xED\xA0\x80!\n"),
              (std::vector<ModelLine>{{"caf\xC3\xA9", false}, {"", true}, {"!", true}}));

    options.rule = ModelRule::any;
    EXPECT_EQ(model_lines(options, std::string_view("\xFF\x00\n", 3)),
              (std::vector<ModelLine>{{std::string("\xFF\x00", 2), false}}));
}

TEST(FramerModel_Rules, ReportsALineAsSoonAsItPassesTheLimit) {
    ModelOptions options;
    options.max_line_length = 3;
    EXPECT_EQ(model_lines(options, "abc\nabcd", ModelStatus::line_too_long), (std::vector<ModelLine>{{"abc", false}}));
    EXPECT_TRUE(model_lines(options, "abc\r\n", ModelStatus::line_too_long).empty());  // the CR counts
}

TEST(LineFramer_AgreesWithModel, OnTheSeedCorpus) {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(ONELINE_FRAMER_CORPUS_DIR)) {
        if (!entry.is_regular_file()) {
            continue;
        }
        ++files;
        SCOPED_TRACE(entry.path().filename().string());
        const std::string mismatch = check(read_file(entry.path()));
        EXPECT_TRUE(mismatch.empty()) << mismatch;
    }
    EXPECT_GE(files, 10U) << "seed corpus missing from " << ONELINE_FRAMER_CORPUS_DIR;
}

TEST(LineFramer_AgreesWithModel, OnPseudoRandomInputs) {
    // Bytes that matter to the rules, mixed with arbitrary ones; fixed seed,
    // raw engine output only, so every platform replays the same inputs.
    static constexpr std::uint8_t kInteresting[] = {'\n', '\r', 'a',  0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                                    0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xFF};
    std::mt19937 engine(20240601U);
    for (int run = 0; run < 20000; ++run) {
        const std::size_t length = engine() % 300U;
        std::vector<std::uint8_t> input(length);
        for (std::size_t i = 0; i < length; ++i) {
            const std::uint32_t r = engine();
            input[i] = (i < oneline::fuzz::kPlanHeaderSize || (r & 1U) != 0)
                           ? static_cast<std::uint8_t>(r >> 8U)
                           : kInteresting[(r >> 8U) % sizeof kInteresting];
        }
        const std::string mismatch = check(input);
        ASSERT_TRUE(mismatch.empty()) << "run " << run << ": " << mismatch;
    }
}

}  // namespace
