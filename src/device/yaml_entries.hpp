#pragma once

// What the device loader reads of yaml-cpp's nodes: mappings as checked lists of entries (known keys,
// no key twice), scalars as pyvisa-sim reads them (every scalar a string), and the 1-based line of
// each, for errors that name it.

#include "device/device_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::device {

/// The 1-based line of a node (0 when yaml-cpp knows none).
int line_of(const YAML::Node& node);

/// Throws LoadError(line, message).
[[noreturn]] void fail(int line, const std::string& message);

/// "mapping", "list", "string" or "nothing".
const char* type_name(const YAML::Node& node);

/// One key of a mapping and its value; errors point at the key (a null value has no good line).
struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
};

/// The entries of mapping `map` (`what` names it in errors, found at `line`), checked against the keys
/// it may have (an empty `allowed`: any key); no key may appear twice. Throws LoadError.
std::vector<Entry> entries(const YAML::Node& map, const std::string& what, int line,
                           std::initializer_list<std::string_view> allowed = {});

/// The entry for `key`, or nullptr.
const Entry* find(const std::vector<Entry>& list, std::string_view key);

/// A scalar as pyvisa-sim reads it (every scalar a string; an empty value is ""). Throws LoadError
/// for a list or mapping.
std::string scalar(const Entry& entry, const std::string& what);

}  // namespace oneline::device
