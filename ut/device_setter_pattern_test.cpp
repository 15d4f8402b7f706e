// Setter templates read as pyvisa-sim's parser (stringparser) reads them (src/device/setter_pattern),
// matched with RE2 in full, as the device does.
#include "device/setter_pattern.hpp"

#include <re2/re2.h>

#include <gtest/gtest.h>

#include <stdexcept>

namespace oneline::device {
namespace {

// The value a template parses out of `text`, or nothing when it does not match.
std::optional<Value> parse(const std::string& pattern, const std::string& text) {
    const SetterPattern compiled(pattern, false);
    const RE2 regex(compiled.regex());
    std::string captured;
    if (!RE2::FullMatch(text, regex, &captured)) {
        return std::nullopt;
    }
    return compiled.convert(captured);
}

TEST(DeviceSetterPattern, MatchesWhatStringparserMatches) {
    EXPECT_EQ(parse("!FREQ {:.2f}", "!FREQ 10.3"), Value{10.3});
    EXPECT_EQ(parse("!FREQ {:.2f}", "!FREQ -1.0"), Value{-1.0});
    EXPECT_FALSE(parse("!FREQ {:.2f}", "!FREQ 5")) << "stringparser's 'f' needs two digits";
    EXPECT_FALSE(parse("!FREQ {:.2f}", "!FREQ +5.0")) << "no '+' without a '+' in the spec";
    EXPECT_EQ(parse("V {:+.1f}", "V +5.0"), Value{5.0});
    EXPECT_EQ(parse("!OUT {:d}", "!OUT 1"), Value{std::int64_t{1}});
    EXPECT_FALSE(parse("!OUT {:d}", "!OUT 1.5"));
    EXPECT_EQ(parse("X {:e}", "X 12e-3"), Value{0.012});
    EXPECT_EQ(parse("H {:x}", "H ff"), Value{std::int64_t{255}});
    EXPECT_EQ(parse("H {:#x}", "H 0x1f"), Value{std::int64_t{31}});
    EXPECT_EQ(parse("P {:%}", "P 50.0%"), Value{0.5});
    EXPECT_EQ(parse("INST {:s}", "INST P25V"), Value{std::string("P25V")});
    EXPECT_EQ(parse("I {}", "I 2"), Value{std::string("2")});
    EXPECT_EQ(parse("A {} V", "A x V V"), Value{std::string("x V")});
    EXPECT_EQ(parse("LIT (a.b) {:d}", "LIT (a.b) 3"), Value{std::int64_t{3}}) << "literal text is quoted";
    EXPECT_FALSE(parse("LIT (a.b) {:d}", "LIT (axb) 3"));
}

TEST(DeviceSetterPattern, CapturesTheChannelOfAChannelSetter) {
    const SetterPattern pattern("CH {ch_id}:VOLT {:.3f}", true);
    ASSERT_TRUE(pattern.has_channel());
    EXPECT_EQ(pattern.channel_group(), 0);
    EXPECT_EQ(pattern.value_group(), 1);
    const RE2 regex(pattern.regex());
    std::string channel;
    std::string value;
    ASSERT_TRUE(RE2::FullMatch("CH 2:VOLT 1.50", regex, &channel, &value));
    EXPECT_EQ(channel, "2");
    EXPECT_EQ(pattern.convert(value), Value{1.5});
}

TEST(DeviceSetterPattern, RefusesWhatCannotSetOneValue) {
    EXPECT_THROW(SetterPattern("A {:d} {:d}", false), std::invalid_argument);
    EXPECT_THROW(SetterPattern("A", false), std::invalid_argument);
    EXPECT_THROW(SetterPattern("A {name}", false), std::invalid_argument);
    EXPECT_THROW(SetterPattern("CH {ch_id}:V {}", false), std::invalid_argument) << "{ch_id} outside a channel";
    EXPECT_THROW(SetterPattern("A {:c}", false), std::invalid_argument);
    EXPECT_THROW(SetterPattern("A {:#d}", false), std::invalid_argument);
    EXPECT_THROW(SetterPattern("A {:d", false), std::invalid_argument);
}

}  // namespace
}  // namespace oneline::device
