#pragma once

// A property's value as pyvisa-sim holds it: a Python int, float or str, with Python's
// conversions between them (int(), float(), str()), so that a device answers as pyvisa-sim does.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace oneline::device {

/// A Python int (bounded to 64 bits here), float or str.
using Value = std::variant<std::int64_t, double, std::string>;

/// The three kinds of Value, in the variant's order.
enum class ValueKind { integer = 0, real = 1, text = 2 };

inline ValueKind kind_of(const Value& value) { return static_cast<ValueKind>(value.index()); }

/// "int", "float" or "str".
const char* kind_name(ValueKind kind);

/// Python's int(text, base): surrounding whitespace, a sign, '_' between digits, and for base 16,
/// 8 or 2 an optional 0x/0o/0b prefix. Empty when the text is not such a number or out of 64 bits.
std::optional<std::int64_t> parse_python_int(std::string_view text, int base = 10);

/// Python's float(text): surrounding whitespace, a sign, digits with '_' between them, a
/// fraction, an exponent, "inf", "infinity", "nan" (any case). Empty when the text is none of them.
std::optional<double> parse_python_float(std::string_view text);

/// Python's str(value): an int in decimal, a float as its repr ("100.0", "1e+16"), a str as is.
std::string python_str(const Value& value);

/// Python's TYPE(value) for TYPE int, float or str: int() of a float truncates, int() and float()
/// of a str parse it. Empty when Python would raise (a str that is no number, int() of inf or nan).
std::optional<Value> convert_value(const Value& value, ValueKind to);

/// Python's `a < b` for two values of the same kind (str compares by code point, as UTF-8 bytes do).
bool value_less(const Value& a, const Value& b);

/// Python's `a == b` for two values of the same kind (nan equals nothing).
bool value_equal(const Value& a, const Value& b);

}  // namespace oneline::device
