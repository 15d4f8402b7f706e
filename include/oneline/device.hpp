#pragma once

#include <oneline/export.hpp>
#include <oneline/server.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace oneline {

/// Why a device file could not be loaded. what() is one line: "SOURCE:LINE: message" (or
/// "SOURCE: message" when no line is to blame).
class ONELINE_EXPORT DeviceError : public std::runtime_error {
public:
    /// What kind of failure it is.
    enum class Kind {
        unreadable,    ///< the file could not be read (missing, a directory, too large, no permission)
        invalid,       ///< the file is not a valid device file (YAML syntax, a key, a type, a spec, a format)
        name_needed,   ///< the file holds several devices and none was named; device_names() lists them
        not_built_in,  ///< this build of oneline has no device engine (built without yaml-cpp, fmt or RE2)
    };

    /// Makes the error; `line` is 1-based, 0 when no line is to blame.
    DeviceError(Kind kind, std::string source, int line, const std::string& message,
                std::vector<std::string> device_names = {});

    /// What kind of failure it is.
    Kind kind() const noexcept { return kind_; }
    /// The file's path, or the name given to Device::from_string.
    const std::string& source() const noexcept { return source_; }
    /// The 1-based line of the mistake; 0 when no line is to blame.
    int line() const noexcept { return line_; }
    /// The message without "SOURCE:LINE: ".
    const std::string& message() const noexcept { return message_; }
    /// With Kind::name_needed, the names of the file's devices, in the file's order.
    const std::vector<std::string>& device_names() const noexcept { return device_names_; }

private:
    Kind kind_;
    std::string source_;
    int line_;
    std::string message_;
    std::vector<std::string> device_names_;
};

/// How a device is chosen from its file and set up.
struct DeviceOptions {
    /// The device of the file's `devices` to load; empty: the file's only device (a file with
    /// several then throws DeviceError with Kind::name_needed).
    std::string name;
    /// Seeds RANDOM(...) as Python's random.seed(seed) does, so that a seeded device draws the
    /// values pyvisa-sim draws after random.seed(seed); unset: seeded from the system.
    std::optional<std::uint64_t> seed;
};

/// A simulated device defined by a pyvisa-sim YAML file (spec 1.0 or 1.1): dialogues, properties
/// with getters, setters and specs, error responses, status registers, error queues, channels,
/// RANDOM(...) and BYTES(...). It answers each command as pyvisa-sim's engine does: the command is
/// split at the device's delimiter (default ";") and each part is answered in order, with zero or
/// one response each; a part that no rule matches gets the device's command error (or goes to the
/// fallback). The file's `eom` is read and ignored: the wire stays 0x0A-terminated.
///
/// Compiled whole at load, so a mistake in the chosen device shows at load, never at a query.
/// Exact queries are hash lookups; setters are matched in one pass over all their templates.
/// Movable, not copyable. All member functions are thread-safe (one lock): the host program may
/// read and set property values while a Server answers through the device.
class ONELINE_EXPORT Device {
public:
    /// Whether this build has the device engine; when false every load throws DeviceError with
    /// Kind::not_built_in.
    static bool built_in() noexcept;

    /// Loads a device from the file at `path` (at most 16 MiB). Throws DeviceError: Kind::unreadable
    /// when the file cannot be read, Kind::invalid naming the line of a mistake, Kind::name_needed.
    static Device from_file(const std::string& path, const DeviceOptions& options = {});

    /// Loads a device from `text`, the contents of a device file; `source` names it in errors.
    /// Throws DeviceError as from_file does (never Kind::unreadable).
    static Device from_string(std::string_view text, const DeviceOptions& options = {},
                              const std::string& source = "<string>");

    /// Moves the device; the moved-from object may only be destroyed or assigned to.
    Device(Device&& other) noexcept;
    /// Moves the device; the moved-from object may only be destroyed or assigned to.
    Device& operator=(Device&& other) noexcept;
    /// Frees the device; a Server still calling its reply_callback() must be stopped first.
    ~Device();
    /// Not copyable: a device's state (values, registers, queues) is one instrument's.
    Device(const Device&) = delete;
    /// Not copyable (see the copy constructor).
    Device& operator=(const Device&) = delete;

    /// The device's name in its file.
    const std::string& name() const noexcept;

    /// Answers `command` through `reply`, one Reply::send per response, as a ReplyCallback does.
    /// A command flagged invalid is matched by no rule (it goes to the fallback, or gets the
    /// command error). Does not block beyond the device's lock and the fallback.
    void answer(std::string_view command, bool is_invalid, Reply& reply);

    /// Answers `command` and returns its responses (zero or more), for tests and hosts without a
    /// Server.
    std::vector<std::string> answer(std::string_view command, bool is_invalid = false);

    /// A ReplyCallback that answers through this device, for ServerConfig::reply_callback. The
    /// device must outlive the server that calls it (and must not be moved while it serves).
    ReplyCallback reply_callback();

    /// Sets what answers a part of a command that no rule of the file matches (instead of the
    /// device's command error; status registers and error queues are then left alone). Called
    /// with the part, the command's invalid flag and the reply, under the device's lock: it must
    /// not call this device. Empty: the command error.
    void set_fallback(ReplyCallback fallback);

    /// Receives one line per answered part, naming the rule that answered it and its line in the
    /// file ("getter of 'voltage' (line 31)"), or "no rule" (the command error or fallback); for
    /// `oneline server -v`. Empty (the default): nothing is logged.
    void set_rule_log(std::function<void(std::string_view line)> log);

    /// Reseeds RANDOM(...) as DeviceOptions::seed does.
    void seed(std::uint64_t seed);

    /// The names of the device's properties, then those of its channels' properties.
    std::vector<std::string> property_names() const;

    /// A property's value as Python's str() shows it ("100.0", "1", "P6V"). A channel property
    /// needs its channel id. Throws std::out_of_range for an unknown property.
    std::string get(std::string_view property, std::string_view channel = {}) const;

    /// Sets a property from text, checked by its specs as a setter's value is (type, min, max,
    /// valid): a simulator updating a measured value while serving. A channel property needs its
    /// channel id. Throws std::out_of_range for an unknown property, std::invalid_argument
    /// (saying why) when the value does not hold.
    void set(std::string_view property, std::string_view value, std::string_view channel = {});

private:
    struct ONELINE_NO_EXPORT State;
    explicit Device(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace oneline
