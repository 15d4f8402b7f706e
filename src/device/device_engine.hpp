#pragma once

// A compiled device: what device_loader makes of one device of a pyvisa-sim file, and the match
// that answers a query in pyvisa-sim's order (dialogues, getters, status registers, error queues,
// setters, channels). Exact queries are one hash lookup; setters are one RE2::Set pass, then the
// matching templates in the file's order. Not thread-safe: oneline::Device holds the lock.

#include "device/exact_table.hpp"
#include "device/python_format.hpp"
#include "device/python_random.hpp"
#include "device/python_value.hpp"
#include "device/setter_pattern.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::device {

/// A property's specs: its type, and optional bounds and set of valid values.
struct Specs {
    ValueKind type = ValueKind::text;
    std::optional<Value> min;
    std::optional<Value> max;
    std::vector<Value> valid;
};

/// A property of the device or of a channel group (whose values are per channel id).
struct Property {
    std::string name;
    std::optional<Specs> specs;
    Value value;  ///< the device's value, or a channel's default
    std::map<std::string, Value, std::less<>> channel_values;
    /// Counts the changes of any of its values, so that a getter can keep its last answer.
    std::uint64_t version = 0;

    /// pyvisa-sim's validate_value: converts `input` to the spec's type and checks the bounds
    /// and valid values; empty, with `why` set, when it does not hold.
    std::optional<Value> validate(const Value& input, std::string& why) const;
    /// The value for `channel` (empty: the device's value).
    const Value& get(std::string_view channel) const;
};

/// `RANDOM(min, max, count)` in a response: count values, each formatted by `format`, joined by ", ".
struct RandomResponse {
    double min = 0;
    double max = 0;
    int count = 0;
    PythonFormat format{""};
};

/// A response as written in the file, after BYTES and "\n" escapes; empty: no response.
using FixedResponse = std::optional<std::string>;

struct Dialogue {
    FixedResponse response;
    std::optional<RandomResponse> random;
    std::string label;  ///< for -v: "dialogue '?IDN' (line 12)"
};

struct Getter {
    std::size_t property = 0;
    std::optional<PythonFormat> format;
    std::optional<RandomResponse> random;
    std::string label;
    /// The last answer, for the property's `cached_version` and channel `cached_channel`: a value
    /// asked for again and again is formatted once.
    mutable std::string cached;
    mutable std::uint64_t cached_version = ~std::uint64_t{0};
    mutable std::string cached_channel;
};

struct Setter {
    std::size_t property = 0;
    std::unique_ptr<SetterPattern> pattern;
    std::unique_ptr<RE2> regex;
    FixedResponse response;
    FixedResponse error;
    std::string label;
};

struct StatusRegister {
    std::map<std::string, std::int64_t, std::less<>> bits;
    std::int64_t value = 0;
    std::string label;
};

struct ErrorQueue {
    std::map<std::string, std::string, std::less<>> messages;
    std::string empty_response;
    std::deque<std::string> queue;
    std::string label;
};

/// What an exact query names.
struct Rule {
    enum class Kind { dialogue, getter, status_register, error_queue } kind = Kind::dialogue;
    std::size_t index = 0;
    const std::string* channel = nullptr;  ///< a channel getter's or dialogue's id (can_select)
};

/// Dialogues, properties, getters and setters: a device or a group of channels.
struct Component {
    std::vector<Dialogue> dialogues;
    std::vector<Getter> getters;
    std::vector<Property> properties;
    std::vector<Setter> setters;
    std::unique_ptr<RE2::Set> setter_set;  ///< every setter's regex, to find the candidates in one pass
    std::deque<std::string> keys;          ///< the storage the rules' keys view
    ExactTable<Rule> rules;

    /// Builds setter_set from the setters (after all are added); throws std::invalid_argument.
    void compile_setters();
    /// Indices of the setters whose template matches `query` in full, in the file's order.
    void candidates(std::string_view query, std::vector<int>& out) const;
    /// Adds `key` -> `rule`; `replace` says whether a key already there is replaced (a device's
    /// later dialogue replaces an earlier one) or kept (a channel's first id wins).
    void add_rule(std::string key, Rule rule, bool replace);
};

struct ChannelGroup : Component {
    std::string name;
    std::vector<std::string> ids;
    bool can_select = true;
};

/// What matching one query led to.
enum class Outcome { unmatched, silent, answered };

/// One compiled device.
class Engine : public Component {
public:
    std::string name;
    std::string delimiter = ";";
    FixedResponse command_error;
    std::vector<StatusRegister> registers;
    std::map<std::string, std::size_t, std::less<>> error_registers;  ///< error name -> register
    std::vector<ErrorQueue> queues;
    std::vector<ChannelGroup> channels;
    std::optional<std::size_t> selected_channel;  ///< the property "selected_channel", if any
    PythonRandom random;

    /// Answers one query (one part of a command split by the delimiter): `answer` views the
    /// response when Outcome::answered (the file's own text, or `out` when it was formatted), valid
    /// until the next match; `rule` names what answered (nullptr when nothing did).
    Outcome match(std::string_view query, std::string& out, std::string_view& answer, const std::string*& rule);

    /// pyvisa-sim's error_response: sets the status register bits and queues the messages of the
    /// error `key`, and gives the device's response to it (empty: none).
    const FixedResponse& raise_error(std::string_view key);

    /// The most values kept per error queue, and the most channel ids a property keeps a value
    /// for: what a client can make the device remember is bounded.
    static constexpr std::size_t kMaxQueued = 1024;
    static constexpr std::size_t kMaxChannelValues = 1024;

private:
    Outcome match_any(std::string_view query, std::string& out, const std::string*& rule);
    Outcome answer_rule(const Component& component, const Rule& rule, std::string_view channel, std::string& out,
                        const std::string*& label);
    Outcome match_setters(Component& component, std::string_view query, const std::string*& label,
                          const ChannelGroup* group, std::string_view selected);
    void format_random(const RandomResponse& random, std::string& out);
    std::vector<int> candidates_;
    const std::string* fixed_ = nullptr;  // the file's own response text that answered, if one did
    std::string scratch_;
};

}  // namespace oneline::device
