#include "device/setter_pattern.hpp"

#include <re2/re2.h>

#include <stdexcept>

namespace oneline::device {
namespace {

// stringparser's regular expression for each presentation type (its table, as RE2 syntax).
const char* type_regex(char type) {
    switch (type) {
        case 0:
        case 's': return ".*?";
        case 'd': return "[0-9]+?";
        case 'b': return "[0-1]+?";
        case 'o': return "[0-7]+?";
        case 'x': return "[0-9a-f]+?";
        case 'X': return "[0-9A-F]+?";
        case 'e': return "[0-9]+\\.?[0-9]+(?:e[-+]?[0-9]+)?";
        case 'E': return "[0-9]+\\.?[0-9]+(?:E[-+]?[0-9]+)?";
        case 'f':
        case 'F': return "[0-9]+\\.?[0-9]+";
        case 'g':
        case 'G': return "[0-9]+\\.?[0-9]+(?:[eE][-+]?[0-9]+)?";
        case '%': return "[0-9]+\\.?[0-9]+%";
        default: return nullptr;
    }
}

template <typename T>
std::optional<Value> to_value(std::optional<T> number) {
    return number ? std::optional<Value>{*number} : std::nullopt;
}

bool is_spec_type(char c) { return std::string_view("bcdeEfFgGnosxX%").find(c) != std::string_view::npos; }

// What stringparser keeps of a spec: it scans [[fill]align][sign][#][0][width][,][.precision][type]
// from the start and ignores the rest; only the sign, '#' and the type change what it matches.
struct LooseSpec {
    char sign = 0;
    bool alternate = false;
    std::string type;
};

LooseSpec scan_spec(std::string_view spec) {
    LooseSpec out;
    std::size_t i = 0;
    auto is_align = [](char c) { return c == '<' || c == '>' || c == '=' || c == '^'; };
    if (spec.size() >= 2 && spec[0] != '{' && spec[0] != '}' && is_align(spec[1])) {
        i = 2;
    } else if (!spec.empty() && is_align(spec[0])) {
        i = 1;
    }
    if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) {
        out.sign = spec[i++];
    }
    if (i < spec.size() && spec[i] == '#') {
        out.alternate = true;
        ++i;
    }
    if (i < spec.size() && spec[i] == '0') {
        ++i;
    }
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
        ++i;
    }
    if (i < spec.size() && spec[i] == ',') {
        ++i;
    }
    if (i + 1 < spec.size() && spec[i] == '.' && spec[i + 1] >= '0' && spec[i + 1] <= '9') {
        ++i;
        while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
            ++i;
        }
    }
    while (i < spec.size() && is_spec_type(spec[i])) {
        out.type.push_back(spec[i++]);
    }
    return out;
}

std::string field_regex(std::string_view spec, char& type) {
    if (spec.empty()) {
        type = 0;
        return type_regex(0);
    }
    const LooseSpec loose = scan_spec(spec);
    if (loose.type.size() > 1 || (loose.type.size() == 1 && type_regex(loose.type[0]) == nullptr)) {
        throw std::invalid_argument("setter field '{:" + std::string(spec) + "}' has type '" + loose.type +
                                    "', which a setter cannot parse");
    }
    type = loose.type.empty() ? '\0' : loose.type[0];
    std::string regex = type_regex(type);
    if (loose.alternate) {
        if (type != 'o' && type != 'x' && type != 'X' && type != 'b') {
            throw std::invalid_argument("setter field '{:" + std::string(spec) + "}': '#' needs type b, o, x or X");
        }
        regex = std::string("0") + type + regex;
    }
    if (loose.sign == '+') {
        return "[-+]" + regex;
    }
    if (loose.sign == ' ') {
        return "[- ]" + regex;
    }
    return "[-]?" + regex;
}

}  // namespace

SetterPattern::SetterPattern(std::string_view pattern, bool allow_channel) {
    std::string literal;
    int group = 0;
    auto flush = [this, &literal]() {
        regex_ += RE2::QuoteMeta(literal);
        literal.clear();
    };
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
            literal.push_back(c);
            ++i;
            continue;
        }
        if (c == '}') {
            throw std::invalid_argument("a single '}' in setter '" + std::string(pattern) + "' (write '}}')");
        }
        if (c != '{') {
            literal.push_back(c);
            continue;
        }
        const std::size_t close = pattern.find('}', i);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("an unclosed '{' in setter '" + std::string(pattern) + "'");
        }
        const std::string_view field = pattern.substr(i + 1, close - i - 1);
        const std::size_t colon = field.find(':');
        std::string_view name = field.substr(0, colon);
        const std::string_view spec = colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1);
        const std::size_t bang = name.find('!');
        if (bang != std::string_view::npos) {
            name = name.substr(0, bang);  // stringparser ignores a conversion
        }
        flush();
        if (name == "ch_id" && allow_channel) {
            if (channel_group_ >= 0) {
                throw std::invalid_argument("setter '" + std::string(pattern) + "' has {ch_id} twice");
            }
            char type = 0;
            regex_ += "(" + field_regex(spec, type) + ")";
            channel_group_ = group++;
        } else if (name.empty() || name == "0") {
            if (value_group_ >= 0) {
                throw std::invalid_argument("setter '" + std::string(pattern) + "' has more than one value field");
            }
            regex_ += "(" + field_regex(spec, type_) + ")";
            value_group_ = group++;
        } else {
            throw std::invalid_argument("setter '" + std::string(pattern) + "' has a field named '" +
                                        std::string(name) + "'" +
                                        (allow_channel ? " (only {} and {ch_id})" : " (only {} outside a channel)"));
        }
        i = close;
    }
    flush();
    if (value_group_ < 0) {
        throw std::invalid_argument("setter '" + std::string(pattern) + "' has no value field ({})");
    }
    switch (type_) {
        case 'd':
        case 'b':
        case 'o':
        case 'x':
        case 'X': kind_ = ValueKind::integer; break;
        case 0:
        case 's': kind_ = ValueKind::text; break;
        default: kind_ = ValueKind::real; break;
    }
}

std::optional<Value> SetterPattern::convert(std::string_view text) const {
    switch (type_) {
        case 'd': return to_value(parse_python_int(text, 10));
        case 'b': return to_value(parse_python_int(text, 2));
        case 'o': return to_value(parse_python_int(text, 8));
        case 'x':
        case 'X': return to_value(parse_python_int(text, 16));
        case 0:
        case 's': return Value{std::string(text)};
        case '%': {
            text.remove_suffix(1);
            const auto number = parse_python_float(text);
            return number ? std::optional<Value>{*number / 100} : std::nullopt;
        }
        default: return to_value(parse_python_float(text));
    }
}

}  // namespace oneline::device
