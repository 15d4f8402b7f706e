#include "cli/device_option.hpp"

#include "cli/options.hpp"
#include "cli/stderr_logger.hpp"

namespace oneline::cli {
namespace {

// Answers each command as the device does; the device never fails a command.
class DeviceBehaviour final : public ServerBehaviour {
public:
    explicit DeviceBehaviour(std::unique_ptr<Device> device) : device_(std::move(device)) {}
    std::string_view answer(std::string_view command, bool is_invalid, Reply& reply) override {
        device_->answer(command, is_invalid, reply);
        return {};
    }

private:
    std::unique_ptr<Device> device_;
};

}  // namespace

CLI::Option* add_device_options(CLI::App& command, DeviceOptions& options, const std::vector<CLI::Option*>& excluded) {
    CLI::Option* device =
        command
            .add_option("--device", options.path,
                        "answer as the device of this pyvisa-sim YAML file does (spec 1.0 or 1.1): dialogues, "
                        "properties, errors, registers, channels; one command may hold several queries split by "
                        "its delimiter (';')")
            ->type_name("PATH");
    for (CLI::Option* other : excluded) {
        device->excludes(other);
    }
    command
        .add_option("--device-name", options.name,
                    "the device of the --device file to serve; needed when it has several")
        ->type_name("NAME")
        ->needs(device);
    command
        .add_option("--device-seed", options.seed,
                    "seed RANDOM(...) as Python's random.seed(N) does, for the same values on every run")
        ->type_name("N")
        ->needs(device);
    return device;
}

std::unique_ptr<Device> load_device(const DeviceOptions& options, std::string_view command_name, bool verbose) {
    if (options.path.empty()) {
        return nullptr;
    }
    oneline::DeviceOptions load;
    load.name = options.name;
    load.seed = options.seed;
    try {
        auto device = std::make_unique<Device>(Device::from_file(options.path, load));
        if (verbose) {
            auto log = std::make_shared<StderrLogger>("oneline srvr: ");
            device->set_rule_log([log](std::string_view line) { log->info(line); });
        }
        return device;
    } catch (const DeviceError& error) {
        switch (error.kind()) {
            case DeviceError::Kind::unreadable:
                fail(command_name, std::string("--device: ") + error.what(), exit_failure);
            case DeviceError::Kind::name_needed: {
                std::string names;
                for (const std::string& name : error.device_names()) {
                    names += (names.empty() ? "'" : ", '") + name + "'";
                }
                fail(command_name,
                     "--device: " + error.source() + " holds " + std::to_string(error.device_names().size()) +
                         " devices; choose one with --device-name: " + names,
                     exit_usage);
            }
            default: fail(command_name, std::string("--device: ") + error.what(), exit_usage);
        }
    }
}

std::unique_ptr<ServerBehaviour> device_behaviour(const DeviceOptions& options, std::string_view command_name,
                                                  bool verbose) {
    return std::make_unique<DeviceBehaviour>(load_device(options, command_name, verbose));
}

}  // namespace oneline::cli
