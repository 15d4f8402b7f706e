#include "device/device_loader.hpp"

#include "device/response_text.hpp"
#include "device/yaml_entries.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>

namespace oneline::device {
namespace {

using YAML::Node;

std::string strip_spaces(const std::string& text) {
    const std::size_t first = text.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string where(const std::string& group) { return group.empty() ? std::string() : " in channels " + quoted(group); }

// A query as a key: escapes expanded; one that holds a line feed could never arrive.
std::string query_key(const std::string& query, int line) {
    std::string key;
    try {
        key = expand_escapes(query);
    } catch (const std::invalid_argument& error) {
        fail(line, error.what());
    }
    if (key.find('\n') != std::string::npos) {
        fail(line, "query " + quoted(query) + " holds a line feed, which ends a command on the wire");
    }
    return key;
}

// A response of the file; pyvisa-sim strips the spaces around those of dialogues, getters and
// setters (`strip`), not those of errors.
FixedResponse fixed_response(const Entry* entry, const std::string& what, bool strip = true) {
    if (entry == nullptr) {
        return std::nullopt;
    }
    std::string response;
    try {
        const std::string text = scalar(*entry, what);
        response = expand_escapes(strip ? strip_spaces(text) : text);
    } catch (const std::invalid_argument& error) {
        fail(entry->line, error.what());
    }
    if (response.find('\n') != std::string::npos) {
        fail(entry->line, what + " holds a line feed, which the line protocol cannot carry inside a response");
    }
    return response;
}

std::optional<RandomResponse> random_of(const std::string& response, int line) {
    if (response.find("RANDOM") == std::string::npos) {
        return std::nullopt;
    }
    try {
        return compile_random(response);
    } catch (const std::invalid_argument& error) {
        fail(line, error.what());
    }
}

// Python's str.format(ch_id=ID) of a channel query.
std::string with_channel_id(const std::string& query, const std::string& id, int line) {
    std::string out;
    for (std::size_t i = 0; i < query.size(); ++i) {
        const char c = query[i];
        if ((c == '{' || c == '}') && i + 1 < query.size() && query[i + 1] == c) {
            out.push_back(c);
            ++i;
        } else if (query.compare(i, 7, "{ch_id}") == 0) {
            out += id;
            i += 6;
        } else if (c == '{' || c == '}') {
            fail(line, "channel query " + quoted(query) + " may hold only the field {ch_id}");
        } else {
            out.push_back(c);
        }
    }
    return out;
}

class DeviceCompiler {
public:
    explicit DeviceCompiler(Engine& engine) : engine_(engine) {}

    void compile(const Node& node, int line) {
        const auto keys = entries(node, "device " + quoted(engine_.name), line,
                                  {"eom", "error", "dialogues", "properties", "channels", "delimiter"});
        if (const Entry* delimiter = find(keys, "delimiter")) {
            engine_.delimiter = scalar(*delimiter, "delimiter");
        }
        if (const Entry* eom = find(keys, "eom")) {
            check_eom(*eom);
        }
        // The order pyvisa-sim matches in: dialogues, then getters, registers, queues; the rules
        // added later replace those with the same query.
        if (const Entry* error = find(keys, "error")) {
            compile_error(*error);
        }
        const Entry* properties = find(keys, "properties");
        if (properties) {
            compile_properties(engine_, *properties, "");
        }
        if (const Entry* dialogues = find(keys, "dialogues")) {
            compile_dialogues(engine_, *dialogues, "");
        }
        add_rules(engine_, nullptr);
        engine_.compile_setters();
        for (std::size_t i = 0; i < engine_.properties.size(); ++i) {
            if (engine_.properties[i].name == "selected_channel") {
                engine_.selected_channel = i;
            }
        }
        if (const Entry* channels = find(keys, "channels")) {
            const auto groups = entries(channels->value, "channels", channels->line);
            engine_.channels.reserve(groups.size());  // the rules point at each group's ids
            for (const Entry& group : groups) {
                compile_channels(group);
            }
        }
    }

private:
    // Rules of a component, before they are put into its table (the order of kinds matters).
    struct PendingRule {
        std::string key;
        Rule rule;
    };

    void check_eom(const Entry& eom) {
        for (const Entry& pair : entries(eom.value, "eom", eom.line)) {
            for (const Entry& end : entries(pair.value, "eom " + quoted(pair.key), pair.line, {"q", "r"})) {
                scalar(end, "eom " + end.key);
            }
        }
    }

    void compile_error(const Entry& error) {
        if (!error.value.IsMap()) {
            engine_.command_error = fixed_response(&error, "error", false);
            return;
        }
        const auto keys = entries(error.value, "error", error.line, {"response", "status_register", "error_queue"});
        if (const Entry* response = find(keys, "response")) {
            const auto kinds =
                entries(response->value, "error response", response->line, {"command_error", "query_error"});
            engine_.command_error = fixed_response(find(kinds, "command_error"), "command_error", false);
            fixed_response(find(kinds, "query_error"), "query_error", false);
        }
        if (const Entry* registers = find(keys, "status_register")) {
            for (const Node& item : list(*registers, "status_register")) {
                compile_register(item);
            }
        }
        if (const Entry* queues = find(keys, "error_queue")) {
            for (const Node& item : list(*queues, "error_queue")) {
                compile_queue(item);
            }
        }
    }

    static std::vector<Node> list(const Entry& entry, const std::string& what) {
        if (entry.value.IsNull()) {
            return {};
        }
        if (!entry.value.IsSequence()) {
            fail(entry.line, what + " must be a list, not a " + type_name(entry.value));
        }
        return std::vector<Node>(entry.value.begin(), entry.value.end());
    }

    void compile_register(const Node& item) {
        const int line = line_of(item);
        const auto keys = entries(item, "a status register", line);
        const Entry* query = find(keys, "q");
        if (query == nullptr) {
            fail(line, "a status register needs its query 'q'");
        }
        StatusRegister status;
        const std::string key = query_key(strip_spaces(scalar(*query, "q")), query->line);
        status.label = "status register " + quoted(key) + " (line " + std::to_string(query->line) + ")";
        const std::size_t index = engine_.registers.size();
        for (const Entry& bit : keys) {
            if (bit.key == "q") {
                continue;
            }
            const auto value = parse_python_int(scalar(bit, bit.key));
            if (!value) {
                fail(bit.line, "status register bit " + quoted(bit.key) + " must be an integer");
            }
            status.bits[bit.key] = *value;
            engine_.error_registers[bit.key] = index;  // the last register naming an error keeps it
        }
        engine_.registers.push_back(std::move(status));
        pending_registers_.push_back({key, Rule{Rule::Kind::status_register, index, nullptr}});
    }

    void compile_queue(const Node& item) {
        const int line = line_of(item);
        const auto keys = entries(item, "an error queue", line);
        const Entry* query = find(keys, "q");
        const Entry* empty = find(keys, "default");
        if (query == nullptr || empty == nullptr) {
            fail(line, "an error queue needs its query 'q' and its 'default' response");
        }
        ErrorQueue queue;
        const std::string key = query_key(strip_spaces(scalar(*query, "q")), query->line);
        queue.label = "error queue " + quoted(key) + " (line " + std::to_string(query->line) + ")";
        queue.empty_response = *fixed_response(empty, "default", false);
        for (const Entry& message : keys) {
            if (message.key != "q" && message.key != "default" && message.key != "strict") {
                queue.messages[message.key] = *fixed_response(&message, message.key, false);
            }
        }
        const std::size_t index = engine_.queues.size();
        engine_.queues.push_back(std::move(queue));
        pending_queues_.push_back({key, Rule{Rule::Kind::error_queue, index, nullptr}});
    }

    void compile_dialogues(Component& component, const Entry& dialogues, const std::string& group) {
        for (const Node& item : list(dialogues, "dialogues")) {
            const int line = line_of(item);
            const auto keys = entries(item, "a dialogue", line, {"q", "r"});
            const Entry* query = find(keys, "q");
            if (query == nullptr) {
                fail(line, "a dialogue needs its query 'q'");
            }
            Dialogue dialogue;
            const std::string text = strip_spaces(scalar(*query, "q"));
            dialogue.response = fixed_response(find(keys, "r"), "a dialogue's response");
            if (dialogue.response) {
                dialogue.random = random_of(*dialogue.response, find(keys, "r")->line);
            }
            dialogue.label = "dialogue " + quoted(text) + where(group) + " (line " + std::to_string(query->line) + ")";
            pending_dialogues_.push_back({text, Rule{Rule::Kind::dialogue, component.dialogues.size(), nullptr}});
            pending_lines_.push_back(query->line);
            component.dialogues.push_back(std::move(dialogue));
        }
    }

    static std::optional<Specs> compile_specs(const Entry& entry) {
        if (entry.value.IsNull() || (entry.value.IsScalar() && entry.value.Scalar().empty()) ||
            (entry.value.IsMap() && entry.value.size() == 0)) {
            return std::nullopt;  // pyvisa-sim treats empty specs as none
        }
        const auto keys = entries(entry.value, "specs", entry.line, {"min", "max", "valid", "type"});
        const Entry* type = find(keys, "type");
        if (type == nullptr) {
            fail(entry.line, "specs need a 'type': int, float or str");
        }
        Specs specs;
        const std::string type_text = scalar(*type, "type");
        if (type_text == "int") {
            specs.type = ValueKind::integer;
        } else if (type_text == "float") {
            specs.type = ValueKind::real;
        } else if (type_text == "str") {
            specs.type = ValueKind::text;
        } else {
            fail(type->line, "type " + quoted(type_text) + " is not int, float or str");
        }
        auto typed = [&specs](const std::string& text, int line, const std::string& what) {
            auto value = convert_value(Value{text}, specs.type);
            if (!value) {
                fail(line, what + " " + quoted(text) + " is not a " + kind_name(specs.type));
            }
            return *value;
        };
        if (const Entry* min = find(keys, "min")) {
            specs.min = typed(scalar(*min, "min"), min->line, "min");
        }
        if (const Entry* max = find(keys, "max")) {
            specs.max = typed(scalar(*max, "max"), max->line, "max");
        }
        if (const Entry* valid = find(keys, "valid")) {
            for (const Node& item : list(*valid, "valid")) {
                if (!item.IsScalar()) {
                    fail(line_of(item), "a valid value must be a string, not a " + std::string(type_name(item)));
                }
                specs.valid.push_back(typed(item.Scalar(), line_of(item), "valid value"));
            }
        }
        return specs;
    }

    // The kinds of value a getter's format may meet, and whether it can format each.
    static void check_getter_format(const Property& property, const PythonFormat& format,
                                    std::optional<ValueKind> setter_kind, int line) {
        if (!format.has_field()) {
            return;
        }
        // At most two kinds; a fixed array rather than a vector, whose instantiation for an enum the
        // shared library would export (an enum takes no hidden visibility).
        std::array<ValueKind, 2> kinds{};
        std::size_t count = 0;
        if (property.specs) {
            kinds[count++] = property.specs->type;
        } else {
            kinds[count++] = ValueKind::text;
            if (setter_kind) {
                kinds[count++] = *setter_kind;
            }
        }
        for (std::size_t index = 0; index < count; ++index) {
            const ValueKind kind = kinds[index];
            std::string why = spec_refuses(format.spec(), kind);
            if (!why.empty() && kind == ValueKind::text && !property.specs && format.spec().type != 's') {
                // An untyped str meets a numeric format: read as a number, which the default must be.
                std::string out;
                if (format_value(format.spec(), property.value, out)) {
                    continue;
                }
                why = "the default " + quoted(python_str(property.value)) + " is no number for this format";
            }
            if (!why.empty()) {
                fail(line, "getter of " + quoted(property.name) + ": " + why);
            }
        }
    }

    void compile_properties(Component& component, const Entry& properties, const std::string& group) {
        for (const Entry& entry : entries(properties.value, "properties", properties.line)) {
            const auto keys = entries(entry.value, "property " + quoted(entry.key), entry.line,
                                      {"default", "getter", "setter", "specs"});
            Property property;
            property.name = entry.key;
            if (const Entry* specs = find(keys, "specs")) {
                property.specs = compile_specs(*specs);
            }
            const Entry* default_entry = find(keys, "default");
            const std::string default_text = default_entry ? scalar(*default_entry, "default") : std::string();
            std::string why;
            const auto value = property.validate(Value{default_text}, why);
            if (!value) {
                fail(default_entry ? default_entry->line : entry.line,
                     "the default of " + quoted(entry.key) + " does not hold: " + why);
            }
            property.value = *value;
            const std::size_t index = component.properties.size();
            std::optional<ValueKind> setter_kind;
            if (const Entry* setter = find(keys, "setter")) {
                setter_kind = compile_setter(component, index, *setter, entry.key, group);
            }
            if (const Entry* getter = find(keys, "getter")) {
                const auto pair = entries(getter->value, "getter", getter->line, {"q", "r"});
                const Entry* query = find(pair, "q");
                const Entry* response = find(pair, "r");
                if (query == nullptr || response == nullptr) {
                    fail(getter->line, "a getter needs its query 'q' and its response 'r'");
                }
                Getter compiled;
                compiled.property = index;
                const std::string template_text = strip_spaces(scalar(*response, "r"));
                compiled.random = random_of(template_text, response->line);
                if (!compiled.random) {
                    try {
                        compiled.format.emplace(template_text);
                    } catch (const std::invalid_argument& error) {
                        fail(response->line, error.what());
                    }
                    check_getter_format(property, *compiled.format, setter_kind, response->line);
                }
                const std::string text = strip_spaces(scalar(*query, "q"));
                compiled.label =
                    "getter of " + quoted(entry.key) + where(group) + " (line " + std::to_string(query->line) + ")";
                pending_getters_.push_back({text, Rule{Rule::Kind::getter, component.getters.size(), nullptr}});
                pending_getter_lines_.push_back(query->line);
                component.getters.push_back(std::move(compiled));
            }
            component.properties.push_back(std::move(property));
        }
    }

    ValueKind compile_setter(Component& component, std::size_t index, const Entry& entry, const std::string& name,
                             const std::string& group) {
        const auto keys = entries(entry.value, "setter", entry.line, {"q", "r", "e"});
        const Entry* query = find(keys, "q");
        if (query == nullptr) {
            fail(entry.line, "a setter needs its query 'q'");
        }
        Setter setter;
        setter.property = index;
        const std::string text = strip_spaces(scalar(*query, "q"));
        try {
            setter.pattern = std::make_unique<SetterPattern>(text, !group.empty());
        } catch (const std::invalid_argument& error) {
            fail(query->line, error.what());
        }
        RE2::Options options;
        options.set_log_errors(false);
        setter.regex = std::make_unique<RE2>(setter.pattern->regex(), options);
        if (!setter.regex->ok()) {
            fail(query->line, "setter " + quoted(text) + ": " + setter.regex->error());
        }
        setter.response = fixed_response(find(keys, "r"), "a setter's response");
        setter.error = fixed_response(find(keys, "e"), "a setter's error");
        setter.label = "setter of " + quoted(name) + where(group) + " (line " + std::to_string(query->line) + ")";
        const ValueKind kind = setter.pattern->kind();
        component.setters.push_back(std::move(setter));
        return kind;
    }

    // Puts the pending rules into `component`'s table in pyvisa-sim's order; for a channel group
    // (`ids` set) once per id, each query formatted with it, the first id keeping a query.
    void add_rules(Component& component, const ChannelGroup* group) {
        auto key_of = [](const PendingRule& pending, int line, const std::string* id) {
            return query_key(id ? with_channel_id(pending.key, *id, line) : pending.key, line);
        };
        if (group == nullptr || !group->can_select) {
            for (const PendingRule& pending : pending_queues_) {
                component.add_rule(pending.key, pending.rule, true);
            }
            for (const PendingRule& pending : pending_registers_) {
                component.add_rule(pending.key, pending.rule, true);
            }
            for (std::size_t i = 0; i < pending_getters_.size(); ++i) {
                component.add_rule(key_of(pending_getters_[i], pending_getter_lines_[i], nullptr),
                                   pending_getters_[i].rule, true);
            }
            for (std::size_t i = 0; i < pending_dialogues_.size(); ++i) {
                component.add_rule(key_of(pending_dialogues_[i], pending_lines_[i], nullptr),
                                   pending_dialogues_[i].rule, true);
            }
        } else {
            for (const std::string& id : group->ids) {
                Component one_id;
                for (std::size_t i = 0; i < pending_getters_.size(); ++i) {
                    Rule rule = pending_getters_[i].rule;
                    rule.channel = &id;
                    one_id.add_rule(key_of(pending_getters_[i], pending_getter_lines_[i], &id), rule, true);
                }
                for (std::size_t i = 0; i < pending_dialogues_.size(); ++i) {
                    Rule rule = pending_dialogues_[i].rule;
                    rule.channel = &id;
                    one_id.add_rule(key_of(pending_dialogues_[i], pending_lines_[i], &id), rule, true);
                }
                for (const std::string& key : one_id.keys) {
                    component.add_rule(key, *one_id.rules.find(key), false);
                }
            }
        }
        pending_queues_.clear();
        pending_registers_.clear();
        pending_getters_.clear();
        pending_getter_lines_.clear();
        pending_dialogues_.clear();
        pending_lines_.clear();
    }

    void compile_channels(const Entry& entry) {
        const auto keys = entries(entry.value, "channels " + quoted(entry.key), entry.line,
                                  {"ids", "can_select", "dialogues", "properties"});
        engine_.channels.emplace_back();
        ChannelGroup& group = engine_.channels.back();
        group.name = entry.key;
        if (const Entry* ids = find(keys, "ids")) {
            for (const Node& id : list(*ids, "ids")) {
                if (!id.IsScalar()) {
                    fail(line_of(id), "a channel id must be a string, not a " + std::string(type_name(id)));
                }
                group.ids.push_back(id.Scalar());
            }
        }
        if (const Entry* can_select = find(keys, "can_select")) {
            group.can_select = scalar(*can_select, "can_select") != "False";
        }
        if (!group.can_select && !engine_.selected_channel) {
            fail(entry.line, "channels " + quoted(entry.key) +
                                 " have can_select False: the device needs a property 'selected_channel'");
        }
        if (const Entry* properties = find(keys, "properties")) {
            compile_properties(group, *properties, entry.key);
        }
        if (const Entry* dialogues = find(keys, "dialogues")) {
            compile_dialogues(group, *dialogues, entry.key);
        }
        add_rules(group, &group);
        group.compile_setters();
    }

    Engine& engine_;
    std::vector<PendingRule> pending_queues_;
    std::vector<PendingRule> pending_registers_;
    std::vector<PendingRule> pending_getters_;
    std::vector<int> pending_getter_lines_;
    std::vector<PendingRule> pending_dialogues_;
    std::vector<int> pending_lines_;
};

void check_spec_version(const Entry* spec) {
    if (spec == nullptr) {
        fail(1, "the file gives no spec version (spec: \"1.1\")");
    }
    const std::string text = scalar(*spec, "spec");
    const std::size_t dot = text.find('.');
    const auto major = parse_python_int(text.substr(0, dot));
    const auto minor =
        dot == std::string::npos ? std::optional<std::int64_t>{0} : parse_python_int(text.substr(dot + 1));
    if (!major || !minor || text.find('.', dot == std::string::npos ? dot : dot + 1) != std::string::npos) {
        fail(spec->line, "spec version " + quoted(text) + " is not X.Y");
    }
    if (*major != 1 || *minor > 1) {
        fail(spec->line, "spec version " + quoted(text) + " is not 1.0 or 1.1");
    }
}

}  // namespace

std::unique_ptr<Engine> load_device(std::string_view text, const std::string& name) {
    Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& error) {
        fail(error.mark.line >= 0 ? error.mark.line + 1 : 0, "YAML syntax: " + error.msg);
    }
    if (root.IsNull()) {
        fail(1, "the file is empty (a device file has 'spec' and 'devices')");
    }
    const auto top = entries(root, "the file", line_of(root), {"spec", "devices", "resources"});
    check_spec_version(find(top, "spec"));
    const Entry* devices = find(top, "devices");
    if (devices == nullptr) {
        fail(line_of(root), "the file has no 'devices'");
    }
    const auto list = entries(devices->value, "devices", devices->line);
    if (list.empty()) {
        fail(devices->line, "the file's 'devices' is empty");
    }
    const Entry* chosen = nullptr;
    if (name.empty()) {
        if (list.size() > 1) {
            std::vector<std::string> names;
            std::string shown;
            for (const Entry& device : list) {
                names.push_back(device.key);
                shown += (shown.empty() ? "" : ", ") + quoted(device.key);
            }
            throw DeviceNameNeeded(devices->line,
                                   "the file holds " + std::to_string(list.size()) + " devices; name one of " + shown,
                                   std::move(names));
        }
        chosen = &list.front();
    } else {
        chosen = find(list, name);
        if (chosen == nullptr) {
            std::string shown;
            for (const Entry& device : list) {
                shown += (shown.empty() ? "" : ", ") + quoted(device.key);
            }
            fail(devices->line, "the file has no device " + quoted(name) + "; it has " + shown);
        }
    }
    auto engine = std::make_unique<Engine>();
    engine->name = chosen->key;
    try {
        DeviceCompiler(*engine).compile(chosen->value, chosen->line);
    } catch (const YAML::Exception& error) {
        fail(error.mark.line >= 0 ? error.mark.line + 1 : chosen->line, error.msg);
    } catch (const std::invalid_argument& error) {
        fail(chosen->line, error.what());
    }
    return engine;
}

}  // namespace oneline::device
