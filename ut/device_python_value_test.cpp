// Python's int(), float() and str() as property values use them (src/device/python_value).
#include "device/python_value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace oneline::device {
namespace {

TEST(DevicePythonValue, ParsesInts_AsPythonsInt) {
    EXPECT_EQ(parse_python_int("42"), 42);
    EXPECT_EQ(parse_python_int(" -7 "), -7);
    EXPECT_EQ(parse_python_int("+1_000"), 1000);
    EXPECT_EQ(parse_python_int("0x1f", 16), 31);
    EXPECT_EQ(parse_python_int("ff", 16), 255);
    EXPECT_EQ(parse_python_int("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
    EXPECT_FALSE(parse_python_int("9223372036854775808")) << "beyond 64 bits";
    EXPECT_FALSE(parse_python_int("5.0"));
    EXPECT_FALSE(parse_python_int("1__0"));
    EXPECT_FALSE(parse_python_int(""));
    EXPECT_FALSE(parse_python_int("12", 2));
}

TEST(DevicePythonValue, ParsesFloats_AsPythonsFloat) {
    EXPECT_EQ(parse_python_float("10.3"), 10.3);
    EXPECT_EQ(parse_python_float(" 1e3 "), 1000.0);
    EXPECT_EQ(parse_python_float(".5"), 0.5);
    EXPECT_EQ(parse_python_float("5."), 5.0);
    EXPECT_EQ(parse_python_float("-1_0.5"), -10.5);
    EXPECT_TRUE(std::isinf(*parse_python_float("-Infinity")));
    EXPECT_TRUE(std::isnan(*parse_python_float("nan")));
    EXPECT_TRUE(std::isinf(*parse_python_float("1e999"))) << "Python rounds an overflow to inf";
    EXPECT_FALSE(parse_python_float("0x10")) << "float() takes no hexadecimal";
    EXPECT_FALSE(parse_python_float("1e"));
    EXPECT_FALSE(parse_python_float("."));
    EXPECT_FALSE(parse_python_float("abc"));
}

TEST(DevicePythonValue, ConvertsBetweenKinds_AsPython) {
    EXPECT_EQ(convert_value(Value{2.9}, ValueKind::integer), Value{std::int64_t{2}}) << "int() truncates";
    EXPECT_EQ(convert_value(Value{std::int64_t{3}}, ValueKind::real), Value{3.0});
    EXPECT_EQ(convert_value(Value{1.0}, ValueKind::text), Value{std::string("1.0")});
    EXPECT_EQ(convert_value(Value{std::string("P6V")}, ValueKind::text), Value{std::string("P6V")});
    EXPECT_FALSE(convert_value(Value{std::numeric_limits<double>::infinity()}, ValueKind::integer));
    EXPECT_FALSE(convert_value(Value{std::string("1.5")}, ValueKind::integer));
    EXPECT_EQ(python_str(Value{std::int64_t{-3}}), "-3");
    EXPECT_EQ(python_str(Value{2.5e-7}), "2.5e-07");
}

}  // namespace
}  // namespace oneline::device
