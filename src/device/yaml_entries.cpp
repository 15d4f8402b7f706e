#include "device/yaml_entries.hpp"

#include <algorithm>
#include <set>

namespace oneline::device {

using YAML::Node;

int line_of(const Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

[[noreturn]] void fail(int line, const std::string& message) { throw LoadError(line, message); }

const char* type_name(const Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "mapping";
        case YAML::NodeType::Sequence: return "list";
        case YAML::NodeType::Scalar: return "string";
        default: return "nothing";
    }
}

std::vector<Entry> entries(const Node& map, const std::string& what, int line,
                           std::initializer_list<std::string_view> allowed) {
    if (!map.IsMap()) {
        fail(line, what + " must be a mapping, not a " + type_name(map));
    }
    std::vector<Entry> out;
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const int key_line = line_of(it->first);
        if (!it->first.IsScalar()) {
            fail(key_line, "a key in " + what + " must be a string, not a " + type_name(it->first));
        }
        const std::string key = it->first.Scalar();
        if (allowed.size() != 0 && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string expected;
            for (const std::string_view name : allowed) {
                expected += expected.empty() ? "" : ", ";
                expected += name;
            }
            std::string message = "unknown key '" + key + "' in ";
            message += what;
            message += " (expected ";
            message += expected;
            message += ')';
            fail(key_line, message);
        }
        if (!seen.insert(key).second) {
            std::string message = "key '" + key + "' appears twice in ";
            message += what;
            fail(key_line, message);
        }
        out.push_back(Entry{key, it->second, key_line});
    }
    return out;
}

const Entry* find(const std::vector<Entry>& list, std::string_view key) {
    for (const Entry& entry : list) {
        if (entry.key == key) {
            return &entry;
        }
    }
    return nullptr;
}

// A scalar as pyvisa-sim reads it (every scalar a string; an empty value is "").
std::string scalar(const Entry& entry, const std::string& what) {
    if (entry.value.IsNull()) {
        return {};
    }
    if (!entry.value.IsScalar()) {
        fail(entry.line, what + " must be a string, not a " + type_name(entry.value));
    }
    return entry.value.Scalar();
}

}  // namespace oneline::device
