#include <oneline/device.hpp>

#include "device/device_loader.hpp"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace oneline {
namespace {

constexpr std::uintmax_t kMaxFileSize = 16 * 1024 * 1024;

std::string read_device_file(const std::string& path) {
    auto unreadable = [&path](const std::string& why) {
        return DeviceError(DeviceError::Kind::unreadable, path, 0, "cannot read the device file: " + why);
    };
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) {
        throw unreadable(error ? error.message() : "no such file");
    }
    if (std::filesystem::is_directory(status)) {
        throw unreadable("it is a directory");
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw unreadable("it cannot be opened (permission?)");
    }
    std::string text;
    char buffer[65536];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (text.size() > kMaxFileSize) {
            throw unreadable("it is larger than 16 MiB");
        }
    }
    if (file.bad()) {
        throw unreadable("reading it failed");
    }
    return text;
}

// Collects the responses of Device::answer's vector form.
class CollectingReply : public Reply {
public:
    bool send(std::string_view response) override {
        responses.emplace_back(response);
        return true;
    }
    std::vector<std::string> responses;
};

}  // namespace

struct ONELINE_NO_EXPORT Device::State {
    mutable std::mutex mutex;
    std::unique_ptr<device::Engine> engine;
    ReplyCallback fallback;
    std::function<void(std::string_view)> rule_log;
    std::string response;

    void log(std::string_view part, const std::string* rule, const char* what) const {
        if (!rule_log) {
            return;
        }
        std::string line = "device '" + engine->name + "': '";
        line.append(part);
        line += "' -> ";
        line += rule ? *rule : std::string(what);
        rule_log(line);
    }

    void answer_part(std::string_view part, bool is_invalid, Reply& reply) {
        const std::string* rule = nullptr;
        std::string_view answer;
        const device::Outcome outcome =
            is_invalid ? device::Outcome::unmatched : engine->match(part, response, answer, rule);
        if (outcome == device::Outcome::answered) {
            log(part, rule, "");
            reply.send(answer);
            return;
        }
        if (outcome == device::Outcome::silent) {
            log(part, rule, "");
            return;
        }
        if (fallback) {
            log(part, nullptr, "no rule: the fallback");
            fallback(part, is_invalid, reply);
            return;
        }
        const auto& error = engine->raise_error("command_error");
        log(part, nullptr, error ? "no rule: the command error" : "no rule: no response (the file has no error)");
        if (error) {
            reply.send(*error);
        }
    }
};

bool Device::built_in() noexcept { return true; }

Device Device::from_file(const std::string& path, const DeviceOptions& options) {
    return from_string(read_device_file(path), options, path);
}

Device Device::from_string(std::string_view text, const DeviceOptions& options, const std::string& source) {
    auto state = std::make_unique<State>();
    try {
        state->engine = device::load_device(text, options.name);
    } catch (const device::DeviceNameNeeded& error) {
        throw DeviceError(DeviceError::Kind::name_needed, source, error.line, error.what(), error.names);
    } catch (const device::LoadError& error) {
        throw DeviceError(DeviceError::Kind::invalid, source, error.line, error.what());
    }
    if (options.seed) {
        state->engine->random.seed_with(*options.seed);
    }
    return Device(std::move(state));
}

Device::Device(std::unique_ptr<State> state) : state_(std::move(state)) {}
Device::Device(Device&&) noexcept = default;
Device& Device::operator=(Device&&) noexcept = default;
Device::~Device() = default;

const std::string& Device::name() const noexcept { return state_->engine->name; }

void Device::answer(std::string_view command, bool is_invalid, Reply& reply) {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    const std::string& delimiter = state_->engine->delimiter;
    if (delimiter.empty()) {
        state_->answer_part(command, is_invalid, reply);
        return;
    }
    // Python's bytes.split: "a;;b" is three parts, "" is one.
    std::size_t start = 0;
    while (true) {
        const std::size_t end =
            delimiter.size() == 1 ? command.find(delimiter[0], start) : command.find(delimiter, start);
        state_->answer_part(command.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start),
                            is_invalid, reply);
        if (end == std::string_view::npos) {
            return;
        }
        start = end + delimiter.size();
    }
}

std::vector<std::string> Device::answer(std::string_view command, bool is_invalid) {
    CollectingReply reply;
    answer(command, is_invalid, reply);
    return std::move(reply.responses);
}

ReplyCallback Device::reply_callback() {
    return [this](std::string_view command, bool is_invalid, Reply& reply) { answer(command, is_invalid, reply); };
}

void Device::set_fallback(ReplyCallback fallback) {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->fallback = std::move(fallback);
}

void Device::set_rule_log(std::function<void(std::string_view)> log) {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->rule_log = std::move(log);
}

void Device::seed(std::uint64_t seed) {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->engine->random.seed_with(seed);
}

std::vector<std::string> Device::property_names() const {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    std::vector<std::string> names;
    for (const auto& property : state_->engine->properties) {
        names.push_back(property.name);
    }
    for (const auto& group : state_->engine->channels) {
        for (const auto& property : group.properties) {
            names.push_back(property.name);
        }
    }
    return names;
}

namespace {

// The property named `name`: the device's own when `channel` is empty, else a channel group's.
device::Property& find_property(device::Engine& engine, std::string_view name, std::string_view channel) {
    if (channel.empty()) {
        for (auto& property : engine.properties) {
            if (property.name == name) {
                return property;
            }
        }
    } else {
        for (auto& group : engine.channels) {
            for (auto& property : group.properties) {
                if (property.name == name) {
                    return property;
                }
            }
        }
    }
    throw std::out_of_range("device '" + engine.name + "' has no " + (channel.empty() ? "" : "channel ") +
                            "property '" + std::string(name) + "'");
}

}  // namespace

std::string Device::get(std::string_view property, std::string_view channel) const {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    return device::python_str(find_property(*state_->engine, property, channel).get(channel));
}

void Device::set(std::string_view property, std::string_view value, std::string_view channel) {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    device::Property& found = find_property(*state_->engine, property, channel);
    std::string why;
    auto checked = found.validate(device::Value{std::string(value)}, why);
    if (!checked) {
        throw std::invalid_argument("property '" + std::string(property) + "': " + why);
    }
    if (channel.empty()) {
        found.value = std::move(*checked);
    } else {
        found.channel_values[std::string(channel)] = std::move(*checked);
    }
    ++found.version;
}

}  // namespace oneline
