#pragma once

// Python's str.format for one value, as pyvisa-sim formats a getter's response: a template such as
// "VOLT {:+.8E} V" is compiled once at load (its literal text, one field, a format spec), checked
// against the kinds of value it will be handed, and formatted through {fmt} on every query.

#include "device/python_value.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace oneline::device {

/// A Python format spec: [[fill]align][sign][#][0][width][.precision][type].
struct FormatSpec {
    std::string fill = " ";   ///< one code point, UTF-8
    bool fill_given = false;  ///< whether the spec names its fill (else a '0' flag fills with zeros)
    char align = 0;           ///< '<', '>', '=', '^' or 0 (the kind's default)
    char sign = 0;            ///< '+', '-', ' ' or 0
    bool alternate = false;   ///< '#'
    bool zero = false;        ///< '0' before the width
    int width = -1;           ///< -1: none
    int precision = -1;       ///< -1: none
    char type = 0;            ///< presentation type or 0
    /// The {fmt} patterns of the number without its padding, made once by parse_format_spec.
    std::string real_pattern;
    std::string integer_pattern;
};

/// Parses a format spec (the text after the ':'). Empty, with `error` saying why, for what Python
/// rejects and for what this engine does not offer (digit grouping, 'z', 'c').
std::optional<FormatSpec> parse_format_spec(std::string_view text, std::string& error);

/// Empty when `spec` can format a value of `kind` as Python would; else why not.
std::string spec_refuses(const FormatSpec& spec, ValueKind kind);

/// Appends `value` formatted by `spec` to `out`. The caller has checked spec_refuses() for its
/// kind; a str that a numeric spec meets is read as a Python number first (false if it is none).
bool format_value(const FormatSpec& spec, const Value& value, std::string& out);

/// A compiled "text {:spec} text" template with at most one replacement field ({} or {0}).
class PythonFormat {
public:
    /// Compiles `pattern`; throws std::invalid_argument saying what is wrong.
    explicit PythonFormat(std::string_view pattern);

    /// Whether the template has a field (a template without one ignores the value).
    bool has_field() const { return has_field_; }
    /// The field's spec (meaningful when has_field()).
    const FormatSpec& spec() const { return spec_; }

    /// Appends the template with `value` in its field to `out`; false when the value cannot be
    /// formatted (a str a numeric spec cannot read), `out` then holds a partial answer.
    bool format(const Value& value, std::string& out) const;

private:
    std::string before_;
    std::string after_;
    FormatSpec spec_;
    bool has_field_ = false;
};

}  // namespace oneline::device
