#include "device/device_engine.hpp"

#include <algorithm>
#include <stdexcept>

namespace oneline::device {

std::optional<Value> Property::validate(const Value& input, std::string& why) const {
    if (!specs) {
        return input;  // without specs pyvisa-sim keeps what the setter parsed
    }
    auto value = convert_value(input, specs->type);
    if (!value) {
        why = "'" + python_str(input) + "' is not a " + kind_name(specs->type);
        return std::nullopt;
    }
    if (specs->min && value_less(*value, *specs->min)) {
        why = python_str(*value) + " is less than the minimum " + python_str(*specs->min);
        return std::nullopt;
    }
    if (specs->max && value_less(*specs->max, *value)) {
        why = python_str(*value) + " is more than the maximum " + python_str(*specs->max);
        return std::nullopt;
    }
    if (!specs->valid.empty() && std::none_of(specs->valid.begin(), specs->valid.end(),
                                              [&value](const Value& valid) { return value_equal(valid, *value); })) {
        why = python_str(*value) + " is not one of the valid values";
        return std::nullopt;
    }
    return value;
}

const Value& Property::get(std::string_view channel) const {
    if (!channel.empty()) {
        const auto found = channel_values.find(channel);
        if (found != channel_values.end()) {
            return found->second;
        }
    }
    return value;
}

void Component::compile_setters() {
    if (setters.empty()) {
        return;
    }
    RE2::Options options;
    options.set_log_errors(false);
    setter_set = std::make_unique<RE2::Set>(options, RE2::ANCHOR_BOTH);
    for (const Setter& setter : setters) {
        std::string error;
        if (setter_set->Add(setter.pattern->regex(), &error) < 0) {
            throw std::invalid_argument("setter regex: " + error);
        }
    }
    if (!setter_set->Compile()) {
        throw std::invalid_argument("the setters' templates are too large to compile together");
    }
}

void Component::candidates(std::string_view query, std::vector<int>& out) const {
    out.clear();
    if (setter_set && setter_set->Match(re2::StringPiece(query.data(), query.size()), &out)) {
        std::sort(out.begin(), out.end());
    }
}

void Component::add_rule(std::string key, Rule rule, bool replace) {
    if (Rule* found = rules.find(key)) {
        if (replace) {
            *found = rule;
        }
        return;
    }
    keys.push_back(std::move(key));
    rules.insert(keys.back(), rule);
}

const FixedResponse& Engine::raise_error(std::string_view key) {
    const auto reg = error_registers.find(key);
    if (reg != error_registers.end()) {
        StatusRegister& status = registers[reg->second];
        status.value |= status.bits.find(key)->second;
    }
    for (ErrorQueue& queue : queues) {
        const auto message = queue.messages.find(key);
        if (message != queue.messages.end() && queue.queue.size() < kMaxQueued) {
            queue.queue.push_back(message->second);
        }
    }
    static const FixedResponse none;
    return key == "command_error" ? command_error : none;
}

void Engine::format_random(const RandomResponse& random_response, std::string& out) {
    for (int i = 0; i < random_response.count; ++i) {
        if (i > 0) {
            out += ", ";
        }
        random_response.format.format(Value{random.uniform(random_response.min, random_response.max)}, out);
    }
}

Outcome Engine::answer_rule(const Component& component, const Rule& rule, std::string_view channel, std::string& out,
                            const std::string*& label) {
    switch (rule.kind) {
        case Rule::Kind::dialogue: {
            const Dialogue& dialogue = component.dialogues[rule.index];
            label = &dialogue.label;
            if (dialogue.random) {
                format_random(*dialogue.random, out);
                return Outcome::answered;
            }
            if (!dialogue.response) {
                return Outcome::silent;
            }
            fixed_ = &*dialogue.response;
            return Outcome::answered;
        }
        case Rule::Kind::getter: {
            const Getter& getter = component.getters[rule.index];
            label = &getter.label;
            if (getter.random) {
                format_random(*getter.random, out);
                return Outcome::answered;
            }
            const Property& property = component.properties[getter.property];
            if (getter.cached_version == property.version && getter.cached_channel == channel) {
                fixed_ = &getter.cached;
                return Outcome::answered;
            }
            if (getter.format->format(property.get(channel), out)) {
                getter.cached = out;
                getter.cached_version = property.version;
                getter.cached_channel.assign(channel.data(), channel.size());
            } else {
                // Only a str the host set that a numeric format cannot read gets here.
                out.clear();
                const FixedResponse& error = raise_error("command_error");
                if (!error) {
                    return Outcome::silent;
                }
                out = *error;
            }
            return Outcome::answered;
        }
        case Rule::Kind::status_register: {
            StatusRegister& status = registers[rule.index];
            label = &status.label;
            out = python_str(Value{status.value});
            status.value = 0;
            return Outcome::answered;
        }
        case Rule::Kind::error_queue: {
            ErrorQueue& queue = queues[rule.index];
            label = &queue.label;
            if (queue.queue.empty()) {
                out = queue.empty_response;
            } else {
                out = std::move(queue.queue.front());
                queue.queue.pop_front();
            }
            return Outcome::answered;
        }
    }
    return Outcome::unmatched;
}

Outcome Engine::match_setters(Component& component, std::string_view query, const std::string*& label,
                              const ChannelGroup* group, std::string_view selected) {
    component.candidates(query, candidates_);
    for (const int index : candidates_) {
        Setter& setter = component.setters[static_cast<std::size_t>(index)];
        const SetterPattern& pattern = *setter.pattern;
        re2::StringPiece captured[2];
        RE2::Arg args[2] = {RE2::Arg(&captured[0]), RE2::Arg(&captured[1])};
        const RE2::Arg* arg_pointers[2] = {&args[0], &args[1]};
        if (!RE2::FullMatchN(re2::StringPiece(query.data(), query.size()), *setter.regex, arg_pointers,
                             pattern.groups())) {
            continue;  // the set matched it; kept for safety
        }
        label = &setter.label;
        const re2::StringPiece text = captured[pattern.value_group()];
        std::optional<Value> parsed = pattern.convert(std::string_view(text.data(), text.size()));
        std::string channel(selected);
        if (pattern.has_channel()) {
            const re2::StringPiece id = captured[pattern.channel_group()];
            channel.assign(id.data(), id.size());
        }
        Property& property = component.properties[setter.property];
        std::string why;
        std::optional<Value> value;
        if (parsed) {
            // A channel's setter hands its property str(value), as pyvisa-sim's channels do.
            value = property.validate(group ? Value{python_str(*parsed)} : *parsed, why);
        }
        if (value && group && property.channel_values.size() >= kMaxChannelValues &&
            property.channel_values.find(channel) == property.channel_values.end()) {
            value.reset();
        }
        if (value) {
            if (group) {
                property.channel_values[channel] = std::move(*value);
                ++property.version;
            } else {
                property.value = std::move(*value);
                ++property.version;
            }
            if (!setter.response) {
                return Outcome::silent;
            }
            fixed_ = &*setter.response;
            return Outcome::answered;
        }
        if (setter.error) {
            fixed_ = &*setter.error;
            return Outcome::answered;
        }
        if (group) {
            // A channel's setter without its own error answers the device's command error at once.
            const FixedResponse& error = raise_error("command_error");
            if (!error) {
                return Outcome::silent;
            }
            fixed_ = &*error;
            return Outcome::answered;
        }
    }
    return Outcome::unmatched;
}

Outcome Engine::match(std::string_view query, std::string& out, std::string_view& answer, const std::string*& rule) {
    const Outcome outcome = match_any(query, out, rule);
    answer = fixed_ ? std::string_view(*fixed_) : std::string_view(out);
    return outcome;
}

Outcome Engine::match_any(std::string_view query, std::string& out, const std::string*& rule) {
    out.clear();
    fixed_ = nullptr;
    rule = nullptr;
    if (const Rule* found = rules.find(query)) {
        return answer_rule(*this, *found, {}, out, rule);
    }
    Outcome outcome = match_setters(*this, query, rule, nullptr, {});
    if (outcome != Outcome::unmatched) {
        return outcome;
    }
    for (ChannelGroup& group : channels) {
        std::string_view selected;
        if (!group.can_select) {
            const Value& chosen = properties[*selected_channel].value;
            if (kind_of(chosen) != ValueKind::text ||
                std::find(group.ids.begin(), group.ids.end(), std::get<std::string>(chosen)) == group.ids.end()) {
                continue;
            }
            selected = std::get<std::string>(chosen);
        } else if (!group.ids.empty()) {
            selected = group.ids.back();  // where pyvisa-sim's scan over the ids leaves its selection
        }
        if (const Rule* channel_rule = group.rules.find(query)) {
            const std::string_view channel =
                channel_rule->channel ? std::string_view(*channel_rule->channel) : selected;
            outcome = answer_rule(group, *channel_rule, channel, out, rule);
        } else {
            outcome = match_setters(group, query, rule, &group, selected);
        }
        // pyvisa-sim tries the next group when a group's answer is empty.
        const bool empty = fixed_ ? fixed_->empty() : out.empty();
        if (outcome == Outcome::silent || (outcome == Outcome::answered && !empty)) {
            return outcome;
        }
        out.clear();
        fixed_ = nullptr;
    }
    rule = nullptr;
    return Outcome::unmatched;
}

}  // namespace oneline::device
