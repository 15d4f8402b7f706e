#include "device/python_format.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace oneline::device {
namespace {

bool is_align(char c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

// Bytes in the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) {
    if (lead >= 0xF0) {
        return 4;
    }
    if (lead >= 0xE0) {
        return 3;
    }
    if (lead >= 0xC0) {
        return 2;
    }
    return 1;
}

std::size_t code_points(std::string_view text) {
    std::size_t count = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++count;
        }
    }
    return count;
}

bool is_float_type(char type) {
    return type == 'e' || type == 'E' || type == 'f' || type == 'F' || type == 'g' || type == 'G' || type == 'n' ||
           type == '%';
}

bool is_int_type(char type) { return type == 'd' || type == 'b' || type == 'o' || type == 'x' || type == 'X'; }

// Pads `body` (a number: sign, prefix, digits) or a str to the spec's width, Python's way.
void pad(const FormatSpec& spec, std::string_view body, bool numeric, std::string& out) {
    const std::size_t length = code_points(body);
    if (spec.width < 0 || length >= static_cast<std::size_t>(spec.width)) {
        out.append(body);
        return;
    }
    const std::size_t padding = static_cast<std::size_t>(spec.width) - length;
    char align = spec.align;
    std::string_view fill = spec.fill;
    if (spec.zero && !spec.fill_given) {
        fill = "0";
    }
    if (align == 0) {
        align = numeric ? (spec.zero ? '=' : '>') : '<';
    }
    auto repeat = [&out, fill](std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            out.append(fill);
        }
    };
    switch (align) {
        case '<':
            out.append(body);
            repeat(padding);
            break;
        case '^':
            repeat(padding / 2);
            out.append(body);
            repeat(padding - padding / 2);
            break;
        case '=': {
            // After the sign and a base prefix: "-0005.00", "0x00ff".
            std::size_t prefix = 0;
            if (!body.empty() && (body[0] == '+' || body[0] == '-' || body[0] == ' ')) {
                prefix = 1;
            }
            if (spec.alternate && body.size() >= prefix + 2 && body[prefix] == '0' &&
                std::string_view("xXbBoO").find(body[prefix + 1]) != std::string_view::npos) {
                prefix += 2;
            }
            out.append(body.substr(0, prefix));
            repeat(padding);
            out.append(body.substr(prefix));
            break;
        }
        default:
            repeat(padding);
            out.append(body);
            break;
    }
}

std::string sign_text(char sign) { return sign == 0 || sign == '-' ? std::string() : std::string(1, sign); }

// The {fmt} pattern of a number without padding: sign, '#', precision, type.
std::string real_pattern_of(const FormatSpec& spec) {
    std::string pattern = "{:" + sign_text(spec.sign) + (spec.alternate ? "#" : "");
    if (spec.type == '%') {
        return pattern + "." + std::to_string(spec.precision < 0 ? 6 : spec.precision) + "f}";
    }
    if (spec.type == 0) {
        // Python's general form without a type: repr, or 'g' with the precision given.
        return spec.precision < 0 ? pattern + "}" : pattern + "." + std::to_string(spec.precision) + "g}";
    }
    const char type = spec.type == 'n' ? 'g' : spec.type;
    if (spec.precision >= 0) {
        pattern += "." + std::to_string(spec.precision);
    } else if (type == 'g' || type == 'G') {
        pattern += ".6";  // Python's default precision for 'g'
    }
    return pattern + type + "}";
}

std::string integer_pattern_of(const FormatSpec& spec) {
    const char type = (spec.type == 0 || spec.type == 'n') ? 'd' : spec.type;
    // fmt writes an octal prefix as "0", Python as "0o": the prefix is written by hand.
    const bool alternate = spec.alternate && type != 'o';
    return "{:" + sign_text(spec.sign) + (alternate ? "#" : "") + std::string(1, type) + "}";
}

void append_integer(const FormatSpec& spec, std::int64_t number, std::string& out) {
    if (spec.alternate && spec.type == 'o') {
        const std::uint64_t magnitude =
            number < 0 ? 0 - static_cast<std::uint64_t>(number) : static_cast<std::uint64_t>(number);
        out += number < 0 ? "-" : sign_text(spec.sign);
        out += "0o";
        fmt::format_to(std::back_inserter(out), "{:o}", magnitude);
        return;
    }
    fmt::format_to(std::back_inserter(out), fmt::runtime(spec.integer_pattern), number);
}

void append_real(const FormatSpec& spec, double number, std::string& out) {
    const std::size_t start = out.size();
    fmt::format_to(std::back_inserter(out), fmt::runtime(spec.real_pattern), spec.type == '%' ? number * 100 : number);
    if (spec.type == '%') {
        out += '%';
    } else if (spec.type == 0 && std::isfinite(number) && out.find_first_of(".e", start) == std::string::npos) {
        out += ".0";  // Python's general form keeps one digit past the point: "1.0", not "1"
    }
}

}  // namespace

std::optional<FormatSpec> parse_format_spec(std::string_view text, std::string& error) {
    FormatSpec spec;
    std::size_t i = 0;
    if (!text.empty()) {
        const std::size_t first = utf8_length(static_cast<unsigned char>(text[0]));
        if (first < text.size() && is_align(text[first])) {
            spec.fill = std::string(text.substr(0, first));
            spec.fill_given = true;
            spec.align = text[first];
            i = first + 1;
        } else if (is_align(text[0])) {
            spec.align = text[0];
            i = 1;
        }
    }
    if (i < text.size() && (text[i] == '+' || text[i] == '-' || text[i] == ' ')) {
        spec.sign = text[i++];
    }
    if (i < text.size() && text[i] == 'z') {
        error = "the 'z' option is not supported";
        return std::nullopt;
    }
    if (i < text.size() && text[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < text.size() && text[i] == '0') {
        spec.zero = true;
        ++i;
    }
    auto read_number = [&text, &i]() {
        int number = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            number = number * 10 + (text[i++] - '0');
            if (number > 10000) {
                return -2;
            }
        }
        return number;
    };
    if (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        spec.width = read_number();
    }
    if (i < text.size() && (text[i] == ',' || text[i] == '_')) {
        error = "digit grouping (',' or '_') is not supported";
        return std::nullopt;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (i >= text.size() || text[i] < '0' || text[i] > '9') {
            error = "format spec '" + std::string(text) + "': a '.' needs a precision";
            return std::nullopt;
        }
        spec.precision = read_number();
    }
    if (spec.width == -2 || spec.precision == -2) {
        error = "format spec '" + std::string(text) + "': width or precision above 10000";
        return std::nullopt;
    }
    if (i < text.size()) {
        const char type = text[i++];
        if (type == 'c') {
            error = "the 'c' type is not supported";
            return std::nullopt;
        }
        if (type != 's' && !is_float_type(type) && !is_int_type(type)) {
            error = "format spec '" + std::string(text) + "': unknown type '" + std::string(1, type) + "'";
            return std::nullopt;
        }
        spec.type = type;
    }
    if (i != text.size()) {
        error = "format spec '" + std::string(text) + "' is not a Python format spec";
        return std::nullopt;
    }
    spec.real_pattern = real_pattern_of(spec);
    spec.integer_pattern = integer_pattern_of(spec);
    return spec;
}

std::string spec_refuses(const FormatSpec& spec, ValueKind kind) {
    std::string what = std::string("a format '") + (spec.type ? std::string(1, spec.type) : std::string()) +
                       "' cannot format a " + kind_name(kind);
    switch (kind) {
        case ValueKind::text:
            if (spec.type != 0 && spec.type != 's') {
                return what;
            }
            if (spec.sign != 0 || spec.alternate || spec.align == '=') {
                return "a str takes no sign, '#' or '=' in its format";
            }
            return {};
        case ValueKind::integer:
            if (spec.type == 's') {
                return what;
            }
            if (spec.precision >= 0 && !is_float_type(spec.type)) {
                return "an int takes no precision unless formatted as a float";
            }
            return {};
        case ValueKind::real:
            if (spec.type != 0 && !is_float_type(spec.type)) {
                return what;
            }
            return {};
    }
    return {};
}

bool format_value(const FormatSpec& spec, const Value& value, std::string& out) {
    switch (kind_of(value)) {
        case ValueKind::text: {
            const auto& text = std::get<std::string>(value);
            if (spec.type != 0 && spec.type != 's') {
                // A str where the spec wants a number: pyvisa-sim would raise; read the number.
                const auto number = is_float_type(spec.type) ? convert_value(value, ValueKind::real)
                                                             : convert_value(value, ValueKind::integer);
                return number && format_value(spec, *number, out);
            }
            std::string_view body = text;
            if (spec.precision >= 0) {
                std::size_t end = 0;
                for (int kept = 0; end < body.size() && kept < spec.precision; ++kept) {
                    end += utf8_length(static_cast<unsigned char>(body[end]));
                }
                body = body.substr(0, std::min(end, body.size()));
            }
            pad(spec, body, false, out);
            return true;
        }
        case ValueKind::integer:
        case ValueKind::real: {
            // Straight into `out` when there is no width to pad to: no allocation per query.
            std::string body;
            std::string& target = spec.width < 0 ? out : body;
            if (kind_of(value) == ValueKind::real) {
                append_real(spec, std::get<double>(value), target);
            } else if (is_float_type(spec.type)) {
                append_real(spec, static_cast<double>(std::get<std::int64_t>(value)), target);
            } else {
                append_integer(spec, std::get<std::int64_t>(value), target);
            }
            if (spec.width >= 0) {
                pad(spec, body, true, out);
            }
            return true;
        }
    }
    return false;
}

PythonFormat::PythonFormat(std::string_view pattern) {
    std::string* literal = &before_;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '}') {
            if (i + 1 < pattern.size() && pattern[i + 1] == '}') {
                literal->push_back('}');
                ++i;
                continue;
            }
            throw std::invalid_argument("a single '}' in format '" + std::string(pattern) + "' (write '}}')");
        }
        if (c != '{') {
            literal->push_back(c);
            continue;
        }
        if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
            literal->push_back('{');
            ++i;
            continue;
        }
        const std::size_t close = pattern.find('}', i);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("an unclosed '{' in format '" + std::string(pattern) + "'");
        }
        const std::string_view field = pattern.substr(i + 1, close - i - 1);
        if (field.find('{') != std::string_view::npos) {
            throw std::invalid_argument("a nested field in format '" + std::string(pattern) + "' is not supported");
        }
        if (has_field_) {
            throw std::invalid_argument("format '" + std::string(pattern) + "' has more than one field");
        }
        const std::size_t colon = field.find(':');
        const std::string_view name = field.substr(0, colon);
        if (!name.empty() && name != "0") {
            throw std::invalid_argument("format '" + std::string(pattern) + "' names field '" + std::string(name) +
                                        "' (only {} or {0} can be formatted)");
        }
        std::string error;
        const auto spec =
            parse_format_spec(colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1), error);
        if (!spec) {
            throw std::invalid_argument("format '" + std::string(pattern) + "': " + error);
        }
        spec_ = *spec;
        has_field_ = true;
        literal = &after_;
        i = close;
    }
}

bool PythonFormat::format(const Value& value, std::string& out) const {
    out.append(before_);
    if (has_field_ && !format_value(spec_, value, out)) {
        return false;
    }
    out.append(after_);
    return true;
}

}  // namespace oneline::device
