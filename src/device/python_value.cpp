#include "device/python_value.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace oneline::device {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) {
            return false;
        }
    }
    return true;
}

// Removes Python's digit separators: a '_' is legal only between two digits (`is_digit`).
template <typename IsDigit>
std::optional<std::string> without_underscores(std::string_view text, IsDigit is_digit) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '_') {
            out.push_back(text[i]);
            continue;
        }
        if (i == 0 || i + 1 == text.size() || !is_digit(text[i - 1]) || !is_digit(text[i + 1])) {
            return std::nullopt;
        }
    }
    return out;
}

int digit_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    return 99;
}

}  // namespace

const char* kind_name(ValueKind kind) {
    switch (kind) {
        case ValueKind::integer: return "int";
        case ValueKind::real: return "float";
        case ValueKind::text: return "str";
    }
    return "str";
}

std::optional<std::int64_t> parse_python_int(std::string_view text, int base) {
    text = strip(text);
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.size() > 2 && text[0] == '0') {
        const char marker = static_cast<char>(text[1] | 0x20);
        if ((base == 16 && marker == 'x') || (base == 8 && marker == 'o') || (base == 2 && marker == 'b')) {
            text.remove_prefix(2);
            if (!text.empty() && text.front() == '_') {
                text.remove_prefix(1);
            }
        }
    }
    const auto digits = without_underscores(text, [base](char c) { return digit_value(c) < base; });
    if (!digits || digits->empty()) {
        return std::nullopt;
    }
    std::uint64_t magnitude = 0;
    for (const char c : *digits) {
        const int digit = digit_value(c);
        if (digit >= base) {
            return std::nullopt;
        }
        if (magnitude >
            (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(digit)) / static_cast<unsigned>(base)) {
            return std::nullopt;
        }
        magnitude = magnitude * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
    }
    const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
    if (magnitude > limit) {
        return std::nullopt;
    }
    if (negative) {
        return magnitude == limit ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(magnitude);
    }
    return static_cast<std::int64_t>(magnitude);
}

std::optional<double> parse_python_float(std::string_view text) {
    text = strip(text);
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    const double sign = negative ? -1.0 : 1.0;
    if (equals_ignoring_case(text, "inf") || equals_ignoring_case(text, "infinity")) {
        return sign * std::numeric_limits<double>::infinity();
    }
    if (equals_ignoring_case(text, "nan")) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const auto plain = without_underscores(text, [](char c) { return c >= '0' && c <= '9'; });
    if (!plain || plain->empty()) {
        return std::nullopt;
    }
    // The shape Python accepts: digits, an optional fraction, an optional exponent, and at least
    // one digit before the exponent. from_chars alone would also take hexadecimal and "inf" forms.
    std::size_t i = 0;
    std::size_t mantissa_digits = 0;
    const std::string& s = *plain;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        ++i;
        ++mantissa_digits;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            ++i;
            ++mantissa_digits;
        }
    }
    if (mantissa_digits == 0) {
        return std::nullopt;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            ++i;
        }
        const std::size_t exponent_start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            ++i;
        }
        if (i == exponent_start) {
            return std::nullopt;
        }
    }
    if (i != s.size()) {
        return std::nullopt;
    }
    double value = 0;
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (end != s.data() + s.size()) {
        return std::nullopt;
    }
    if (error == std::errc::result_out_of_range) {
        // Python rounds an overflow to inf and an underflow to zero; from_chars leaves `value` alone.
        const bool tiny = s.find_first_of("eE") != std::string::npos && s[s.find_first_of("eE") + 1] == '-';
        value = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    }
    return sign * value;
}

std::string python_str(const Value& value) {
    switch (kind_of(value)) {
        case ValueKind::integer: return fmt::format("{}", std::get<std::int64_t>(value));
        case ValueKind::real: {
            const double number = std::get<double>(value);
            std::string text = fmt::format("{}", number);
            // fmt's shortest form is Python's repr but for the ".0" Python keeps on whole numbers.
            if (std::isfinite(number) && text.find_first_of(".e") == std::string::npos) {
                text += ".0";
            }
            return text;
        }
        case ValueKind::text: return std::get<std::string>(value);
    }
    return {};
}

std::optional<Value> convert_value(const Value& value, ValueKind to) {
    const ValueKind from = kind_of(value);
    if (from == to) {
        return value;
    }
    switch (to) {
        case ValueKind::text: return Value{python_str(value)};
        case ValueKind::integer: {
            if (from == ValueKind::text) {
                const auto parsed = parse_python_int(std::get<std::string>(value));
                return parsed ? std::optional<Value>{*parsed} : std::nullopt;
            }
            const double number = std::trunc(std::get<double>(value));
            if (!(number >= -9223372036854775808.0 && number < 9223372036854775808.0)) {
                return std::nullopt;
            }
            return Value{static_cast<std::int64_t>(number)};
        }
        case ValueKind::real: {
            if (from == ValueKind::text) {
                const auto parsed = parse_python_float(std::get<std::string>(value));
                return parsed ? std::optional<Value>{*parsed} : std::nullopt;
            }
            return Value{static_cast<double>(std::get<std::int64_t>(value))};
        }
    }
    return std::nullopt;
}

bool value_less(const Value& a, const Value& b) { return a < b; }

bool value_equal(const Value& a, const Value& b) {
    if (kind_of(a) == ValueKind::real && kind_of(b) == ValueKind::real) {
        return std::get<double>(a) == std::get<double>(b);  // nan equals nothing, as in Python
    }
    return a == b;
}

}  // namespace oneline::device
