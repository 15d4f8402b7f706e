#pragma once

// Reads a pyvisa-sim device file (spec 1.0 and 1.1) with yaml-cpp and compiles the chosen device
// into an Engine. Every mistake becomes a LoadError naming the line it is on.

#include "device/device_engine.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::device {

/// A mistake in a device file: `line` is 1-based (0 when the file as a whole is wrong).
struct LoadError : std::runtime_error {
    LoadError(int line_number, const std::string& message) : std::runtime_error(message), line(line_number) {}
    int line;
};

/// Thrown when the file holds several devices and no name was given; lists them.
struct DeviceNameNeeded : LoadError {
    DeviceNameNeeded(int line_number, const std::string& message, std::vector<std::string> device_names)
        : LoadError(line_number, message), names(std::move(device_names)) {}
    std::vector<std::string> names;
};

/// Parses `text` (a whole device file) and compiles the device named `name` (empty: the only one).
/// Throws LoadError (or DeviceNameNeeded).
std::unique_ptr<Engine> load_device(std::string_view text, const std::string& name);

}  // namespace oneline::device
