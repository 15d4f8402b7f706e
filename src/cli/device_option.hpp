#pragma once

// `oneline server --device PATH [--device-name NAME] [--device-seed N]`: a pyvisa-sim device file
// answers every command (see oneline::Device). This file holds the options and their setup, so
// that the server command only asks it for a behaviour.

#include "cli/server_behaviour.hpp"

#include <oneline/device.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace oneline::cli {

/// What the device options hold.
struct DeviceOptions {
    std::string path;  ///< empty: no device
    std::string name;
    std::optional<std::uint64_t> seed;
};

/// Adds --device, --device-name and --device-seed to `command`; --device excludes `excluded`
/// (the other behaviours: --echo, --exec). Returns --device, for behaviours added after it to exclude.
CLI::Option* add_device_options(CLI::App& command, DeviceOptions& options, const std::vector<CLI::Option*>& excluded);

/// Loads the device the options name (nullptr when --device is not given). A bad file ends the
/// command with one line naming FILE:LINE and exit 2; a file that cannot be read, exit 1.
/// With `verbose`, the device logs which rule answered each part of a command on stderr.
std::unique_ptr<Device> load_device(const DeviceOptions& options, std::string_view command_name, bool verbose);

/// The server's behaviour for the device the options name (see load_device()), which it owns.
std::unique_ptr<ServerBehaviour> device_behaviour(const DeviceOptions& options, std::string_view command_name,
                                                  bool verbose);

}  // namespace oneline::cli
