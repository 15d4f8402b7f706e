#pragma once

// A setter's query template read the way pyvisa-sim's parser (the stringparser package) reads it:
// "!FREQ {:.2f}" becomes an anchored regular expression whose field matches what stringparser's
// matches ('f': an optional '-', digits, an optional '.', digits) and converts what it captured as
// stringparser does (int(), float(), str). Compiled once at load; RE2 matches it.

#include "device/python_value.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::device {

/// One compiled setter template: literal text, one value field, and in a channel's setter an
/// optional {ch_id} field.
class SetterPattern {
public:
    /// Compiles `pattern`; throws std::invalid_argument saying what is wrong. `allow_channel`
    /// permits a {ch_id} field (a channel's setter).
    SetterPattern(std::string_view pattern, bool allow_channel);

    /// The regular expression (RE2 syntax, without the anchors) this template matches.
    const std::string& regex() const { return regex_; }
    /// The kind of value the field yields (int for 'd', float for 'f', str for 's' or none).
    ValueKind kind() const { return kind_; }
    /// Whether a {ch_id} field comes before or after the value (its capture's position).
    bool has_channel() const { return channel_group_ >= 0; }
    /// The capture group of the value (0 or 1) and of the channel (-1 when none).
    int value_group() const { return value_group_; }
    int channel_group() const { return channel_group_; }
    /// How many capture groups the regex has (1 or 2).
    int groups() const { return has_channel() ? 2 : 1; }

    /// The value stringparser makes of a captured `text`; empty when its conversion fails.
    std::optional<Value> convert(std::string_view text) const;

private:
    std::string regex_;
    ValueKind kind_ = ValueKind::text;
    char type_ = 0;
    int value_group_ = -1;
    int channel_group_ = -1;
};

}  // namespace oneline::device
