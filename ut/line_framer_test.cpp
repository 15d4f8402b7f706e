// The pure line framer: splitting at 0x0A, CR handling, both decoding modes, the line limit.
#include "framing/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace oneline::framing {
namespace {

using namespace std::string_literals;

struct Line {
    std::string text;
    bool invalid = false;
    bool operator==(const Line& other) const { return text == other.text && invalid == other.invalid; }
};

std::ostream& operator<<(std::ostream& out, const Line& line) {
    out << '"';
    for (const char c : line.text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F) {
            static const char kHex[] = "0123456789abcdef";
            out << "\\x" << kHex[byte >> 4] << kHex[byte & 0xF];
        } else {
            out << c;
        }
    }
    return out << '"' << (line.invalid ? " (invalid)" : "");
}

/// Feeds a LineFramer and keeps every line it produces.
class Collector {
public:
    explicit Collector(FramerOptions options = {}) : framer_(options) {}

    LineFramer::Status feed(std::string_view bytes) {
        return framer_.feed(bytes, [this](std::string_view line, bool invalid) {
            lines_.push_back({std::string(line), invalid});
            return true;
        });
    }

    LineFramer& framer() { return framer_; }
    const std::vector<Line>& lines() const { return lines_; }

private:
    LineFramer framer_;
    std::vector<Line> lines_;
};

FramerOptions with_rule(ByteRule rule) {
    FramerOptions options;
    options.byte_rule = rule;
    return options;
}

FramerOptions with_limit(std::size_t limit) {
    FramerOptions options;
    options.max_line_length = limit;
    return options;
}

/// The single line that `bytes` (ending in 0x0A) frames to.
Line frame_one(std::string_view bytes, FramerOptions options = {}) {
    Collector collector(options);
    EXPECT_EQ(collector.feed(bytes), LineFramer::Status::ok);
    EXPECT_EQ(collector.lines().size(), 1U) << "for input of " << bytes.size() << " bytes";
    return collector.lines().empty() ? Line{"<none>", false} : collector.lines().front();
}

Line utf8_line(std::string_view bytes) { return frame_one(bytes, with_rule(ByteRule::utf8)); }

const std::string kStream = "ping\nhello world\n\nlast one\r\nx\n";
const std::vector<Line> kStreamLines = {{"ping"}, {"hello world"}, {""}, {"last one"}, {"x"}};

TEST(LineFramer, Framer_SplitsLinesAtLineFeed) {
    Collector collector;
    EXPECT_EQ(collector.feed(kStream), LineFramer::Status::ok);
    EXPECT_EQ(collector.lines(), kStreamLines);
    EXPECT_FALSE(collector.framer().has_partial_line());
}

TEST(LineFramer, Framer_SplitsTheSame_AtEveryFeedBoundary) {
    for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
        for (std::size_t second_cut = cut; second_cut <= kStream.size(); ++second_cut) {
            Collector collector;
            collector.feed(std::string_view(kStream).substr(0, cut));
            collector.feed(std::string_view(kStream).substr(cut, second_cut - cut));
            collector.feed(std::string_view(kStream).substr(second_cut));
            ASSERT_EQ(collector.lines(), kStreamLines) << "cut at " << cut << " and " << second_cut;
        }
    }
}

TEST(LineFramer, Framer_SplitsTheSame_WhenFedByteByByte) {
    Collector collector;
    for (const char byte : kStream) {
        ASSERT_EQ(collector.feed(std::string_view(&byte, 1)), LineFramer::Status::ok);
    }
    EXPECT_EQ(collector.lines(), kStreamLines);
}

TEST(LineFramer, Framer_HoldsUnfinishedLine_UntilLineFeedArrives) {
    Collector collector;
    collector.feed("abc");
    EXPECT_TRUE(collector.lines().empty());
    EXPECT_TRUE(collector.framer().has_partial_line());
    collector.feed("def\n");
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"abcdef"}}));
    EXPECT_FALSE(collector.framer().has_partial_line());
}

TEST(LineFramer, Framer_ResetDiscardsUnfinishedLine) {
    Collector collector;
    collector.feed("half a comm");
    collector.framer().reset();
    EXPECT_FALSE(collector.framer().has_partial_line());
    collector.feed("ping\n");
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"ping"}}));
}

TEST(LineFramer, Framer_PassesEmptyLine) {
    Collector collector;
    collector.feed("\n\n");
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{""}, {""}}));
    EXPECT_EQ(frame_one("\r\n"), Line{""});
}

TEST(LineFramer, Framer_DropsOneTrailingCr_ByDefault) {
    EXPECT_EQ(frame_one("ping\r\n"), Line{"ping"});
    EXPECT_EQ(frame_one("ping\r\r\n"), Line{"ping\r"});
}

TEST(LineFramer, Framer_DropsTrailingCr_WhenCrAndLineFeedArriveInDifferentFeeds) {
    Collector collector;
    collector.feed("ping\r");
    collector.feed("\n");
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"ping"}}));
}

TEST(LineFramer, Framer_KeepsCrNotBeforeLineFeed) {
    EXPECT_EQ(frame_one("a\rb\n"), Line{"a\rb"});
    EXPECT_EQ(frame_one("\rping\n"), Line{"\rping"});
}

TEST(LineFramer, Framer_KeepsTrailingCr_WhenKeepCrSet) {
    FramerOptions options;
    options.keep_cr = true;
    EXPECT_EQ(frame_one("ping\r\n", options), Line{"ping\r"});
}

TEST(LineFramer, Framer_PassesNulBytes_InEveryMode) {
    const std::string bytes = "a\0b\0\n"s;
    for (const auto rule : {ByteRule::ascii, ByteRule::utf8, ByteRule::any}) {
        EXPECT_EQ(frame_one(bytes, with_rule(rule)), (Line{"a\0b\0"s, false}));
    }
}

TEST(LineFramer, Framer_Ascii_PassesPlainAscii_NotFlagged) {
    std::string all_ascii;
    for (int byte = 0; byte < 0x80; ++byte) {
        if (byte != '\n') {
            all_ascii.push_back(static_cast<char>(byte));
        }
    }
    EXPECT_EQ(frame_one(all_ascii + "x\n"), (Line{all_ascii + "x", false}));
}

TEST(LineFramer, Framer_Ascii_DropsHighBytesAndFlagsInvalid) {
    EXPECT_EQ(frame_one("pi\xffng\n"), (Line{"ping", true}));
    EXPECT_EQ(frame_one("caf\xc3\xa9\n"), (Line{"caf", true}));
    EXPECT_EQ(frame_one("\x80\n"), (Line{"", true}));
}

TEST(LineFramer, Framer_Ascii_FlagsOnlyTheLineWithHighBytes) {
    Collector collector;
    collector.feed(
        "ok\nb\xe9"
        "ad\nok again\n");
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"ok", false}, {"bad", true}, {"ok again", false}}));
}

TEST(LineFramer, Framer_Any_KeepsEveryByte) {
    EXPECT_EQ(frame_one("a\xff\x80\xc0z\n", with_rule(ByteRule::any)), (Line{"a\xff\x80\xc0z", false}));
}

TEST(LineFramer, Framer_Utf8_KeepsWellFormedSequences) {
    // Boundaries of each sequence length, and just outside the surrogate range.
    const std::vector<std::string> well_formed = {
        "\xc2\x80",          // U+0080
        "\xdf\xbf",          // U+07FF
        "\xe0\xa0\x80",      // U+0800
        "\xe2\x82\xac",      // U+20AC euro sign
        "\xed\x9f\xbf",      // U+D7FF
        "\xee\x80\x80",      // U+E000
        "\xef\xbf\xbf",      // U+FFFF
        "\xf0\x90\x80\x80",  // U+10000
        "\xf4\x8f\xbf\xbf",  // U+10FFFF
    };
    for (const auto& sequence : well_formed) {
        const std::string text = "a" + sequence + "b";
        EXPECT_EQ(utf8_line(text + "\n"), (Line{text, false}));
    }
    EXPECT_EQ(utf8_line("gr\xc3\xbc\xc3\x9f \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80\n"),
              (Line{"gr\xc3\xbc\xc3\x9f \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80", false}));
}

TEST(LineFramer, Framer_Utf8_KeepsSequenceSplitAcrossFeeds) {
    Collector collector(with_rule(ByteRule::utf8));
    collector.feed("\xe2");
    collector.feed("\x82");
    collector.feed("\xac\n");
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"\xe2\x82\xac", false}}));
}

TEST(LineFramer, Framer_Utf8_DropsAndFlagsOverlongEncodings) {
    EXPECT_EQ(utf8_line("a\xc0\x80z\n"), (Line{"az", true}));          // U+0000 in two bytes
    EXPECT_EQ(utf8_line("a\xc1\xbfz\n"), (Line{"az", true}));          // U+007F in two bytes
    EXPECT_EQ(utf8_line("a\xe0\x80\xafz\n"), (Line{"az", true}));      // '/' in three bytes
    EXPECT_EQ(utf8_line("a\xe0\x9f\xbfz\n"), (Line{"az", true}));      // U+07FF in three bytes
    EXPECT_EQ(utf8_line("a\xf0\x8f\xbf\xbfz\n"), (Line{"az", true}));  // U+FFFF in four bytes
}

TEST(LineFramer, Framer_Utf8_DropsAndFlagsSurrogates) {
    EXPECT_EQ(utf8_line("a\xed\xa0\x80z\n"), (Line{"az", true}));  // U+D800
    EXPECT_EQ(utf8_line("a\xed\xbf\xbfz\n"), (Line{"az", true}));  // U+DFFF
}

TEST(LineFramer, Framer_Utf8_DropsAndFlagsCodePointsAboveMaximum) {
    EXPECT_EQ(utf8_line("a\xf4\x90\x80\x80z\n"), (Line{"az", true}));  // U+110000
    EXPECT_EQ(utf8_line("a\xf5\x80\x80\x80z\n"), (Line{"az", true}));
    EXPECT_EQ(utf8_line("a\xfe\xffz\n"), (Line{"az", true}));
}

TEST(LineFramer, Framer_Utf8_DropsAndFlagsTruncatedSequences) {
    EXPECT_EQ(utf8_line("a\xe2\x82\n"), (Line{"a", true}));    // cut by the line end
    EXPECT_EQ(utf8_line("a\xe2\x82z\n"), (Line{"az", true}));  // cut by an ASCII byte
    EXPECT_EQ(utf8_line("a\xf0\x9f\x98z\n"), (Line{"az", true}));
    EXPECT_EQ(utf8_line("a\xc3\xe2\x82\xac\n"), (Line{"a\xe2\x82\xac", true}));  // cut by the next sequence
}

TEST(LineFramer, Framer_Utf8_DropsAndFlagsLoneContinuationBytes) {
    EXPECT_EQ(utf8_line("\x80\n"), (Line{"", true}));
    EXPECT_EQ(utf8_line("a\xbf\x80z\n"), (Line{"az", true}));
    EXPECT_EQ(utf8_line("\xe2\x82\xac\xac\n"), (Line{"\xe2\x82\xac", true}));
}

TEST(LineFramer, Framer_AcceptsLine_OfExactlyTheLimit) {
    Collector collector(with_limit(4));
    EXPECT_EQ(collector.feed("abcd\n"), LineFramer::Status::ok);
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"abcd"}}));
}

TEST(LineFramer, Framer_ReportsLineTooLong_OneByteOverTheLimit) {
    Collector collector(with_limit(4));
    EXPECT_EQ(collector.feed("abcde\n"), LineFramer::Status::line_too_long);
    EXPECT_TRUE(collector.lines().empty());
}

TEST(LineFramer, Framer_ReportsLineTooLong_BeforeLineFeedArrives) {
    Collector exact(with_limit(4));
    EXPECT_EQ(exact.feed("abcd"), LineFramer::Status::ok);

    Collector over(with_limit(4));
    EXPECT_EQ(over.feed("abcde"), LineFramer::Status::line_too_long);
}

TEST(LineFramer, Framer_ReportsLineTooLong_WhenLimitPassedAcrossFeeds) {
    Collector collector(with_limit(4));
    EXPECT_EQ(collector.feed("ab"), LineFramer::Status::ok);
    EXPECT_EQ(collector.feed("cd"), LineFramer::Status::ok);
    EXPECT_EQ(collector.feed("e"), LineFramer::Status::line_too_long);
}

TEST(LineFramer, Framer_ReportsLineTooLong_ByteByByte) {
    Collector collector(with_limit(1000));
    const std::string long_line(1001, 'x');
    std::size_t fed = 0;
    for (; fed < long_line.size(); ++fed) {
        if (collector.feed(std::string_view(&long_line[fed], 1)) == LineFramer::Status::line_too_long) {
            break;
        }
    }
    EXPECT_EQ(fed, 1000U) << "the 1001st byte passes the limit";
}

TEST(LineFramer, Framer_DeliversEarlierLines_BeforeReportingTooLong) {
    Collector collector(with_limit(4));
    EXPECT_EQ(collector.feed("ok\nabcdefgh"), LineFramer::Status::line_too_long);
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"ok"}}));
}

TEST(LineFramer, Framer_StaysStuckAfterLineTooLong_UntilReset) {
    Collector collector(with_limit(4));
    ASSERT_EQ(collector.feed("abcdefgh"), LineFramer::Status::line_too_long);
    EXPECT_EQ(collector.feed("\nping\n"), LineFramer::Status::line_too_long);
    EXPECT_TRUE(collector.lines().empty());
    collector.framer().reset();
    EXPECT_EQ(collector.feed("ping\n"), LineFramer::Status::ok);
    EXPECT_EQ(collector.lines(), (std::vector<Line>{{"ping"}}));
}

TEST(LineFramer, Framer_StopsFeeding_WhenSinkReturnsFalse) {
    LineFramer framer;
    std::vector<std::string> seen;
    const auto status = framer.feed("a\nstop\nc\nd", [&](std::string_view line, bool) {
        seen.emplace_back(line);
        return line != "stop";
    });
    EXPECT_EQ(status, LineFramer::Status::stopped);
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "stop"}));
    EXPECT_FALSE(framer.has_partial_line()) << "the bytes after the stop were not consumed";
}

}  // namespace
}  // namespace oneline::framing
