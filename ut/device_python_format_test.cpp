// Python's str.format for one value (src/device/python_format): each expected text is what
// CPython 3.11 prints for the same template and value.
#include "device/python_format.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace oneline::device {
namespace {

std::string formatted(const std::string& pattern, const Value& value) {
    std::string out;
    EXPECT_TRUE(PythonFormat(pattern).format(value, out)) << pattern;
    return out;
}

TEST(DevicePythonFormat, FormatsFloats_AsPython) {
    EXPECT_EQ(formatted("{:.2f}", 10.3), "10.30");
    EXPECT_EQ(formatted("{:+.8E}", 1.0), "+1.00000000E+00");
    EXPECT_EQ(formatted("{:+.8E}", -0.000123), "-1.23000000E-04");
    EXPECT_EQ(formatted("{}", 100.0), "100.0");
    EXPECT_EQ(formatted("{}", 1e16), "1e+16");
    EXPECT_EQ(formatted("{}", 0.1), "0.1");
    EXPECT_EQ(formatted("{:.3}", 1.0), "1.0");
    EXPECT_EQ(formatted("{:.2}", 100.0), "1e+02");
    EXPECT_EQ(formatted("{:g}", 123456789.0), "1.23457e+08");
    EXPECT_EQ(formatted("{:%}", 1.5), "150.000000%");
    EXPECT_EQ(formatted("{:=+08.2f}", -5.0), "-0005.00");
    EXPECT_EQ(formatted("{:08.2f}", 3.14159), "00003.14");
    EXPECT_EQ(formatted("{:*^9.1f}", 2.25), "***2.2***");
    EXPECT_EQ(formatted("V={:.1f} V", 12.0), "V=12.0 V");
}

TEST(DevicePythonFormat, FormatsIntsAndStrs_AsPython) {
    EXPECT_EQ(formatted("{:d}", std::int64_t{1}), "1");
    EXPECT_EQ(formatted("{}", std::int64_t{-42}), "-42");
    EXPECT_EQ(formatted("{:.2f}", std::int64_t{5}), "5.00") << "an int formats as a float under a float type";
    EXPECT_EQ(formatted("{:#x}", std::int64_t{255}), "0xff");
    EXPECT_EQ(formatted("{:#o}", std::int64_t{5}), "0o5");
    EXPECT_EQ(formatted("{:08}", std::int64_t{5}), "00000005");
    EXPECT_EQ(formatted("{:s}", std::string("P6V")), "P6V");
    EXPECT_EQ(formatted("{:>5}", std::string("ab")), "   ab");
    EXPECT_EQ(formatted("{:05}", std::string("ab")), "ab000");
    EXPECT_EQ(formatted("{:.2}", std::string("h\xC3\xA9llo")), "h\xC3\xA9") << "precision cuts code points";
    EXPECT_EQ(formatted("{{{}}}", std::string("x")), "{x}");
    EXPECT_EQ(formatted("OK", std::string("ignored")), "OK");
}

TEST(DevicePythonFormat, ReadsAStrAsANumber_ForANumericFormat) {
    EXPECT_EQ(formatted("{:d}", std::string("0")), "0");
    std::string out;
    EXPECT_FALSE(PythonFormat("{:d}").format(std::string("zero"), out));
}

TEST(DevicePythonFormat, RefusesWhatPythonRefuses) {
    EXPECT_THROW(PythonFormat("{:.2f"), std::invalid_argument);
    EXPECT_THROW(PythonFormat("{} {}"), std::invalid_argument);
    EXPECT_THROW(PythonFormat("{name}"), std::invalid_argument);
    EXPECT_THROW(PythonFormat("a } b"), std::invalid_argument);
    EXPECT_THROW(PythonFormat("{:q}"), std::invalid_argument);
    EXPECT_THROW(PythonFormat("{:,d}"), std::invalid_argument) << "grouping is not offered";
    const PythonFormat integer("{:d}");
    EXPECT_FALSE(spec_refuses(integer.spec(), ValueKind::real).empty()) << "Python: Unknown format code 'd' for float";
    EXPECT_FALSE(spec_refuses(integer.spec(), ValueKind::text).empty());
    EXPECT_TRUE(spec_refuses(integer.spec(), ValueKind::integer).empty());
    EXPECT_FALSE(spec_refuses(PythonFormat("{:s}").spec(), ValueKind::real).empty());
    EXPECT_FALSE(spec_refuses(PythonFormat("{:.2d}").spec(), ValueKind::integer).empty());
}

}  // namespace
}  // namespace oneline::device
