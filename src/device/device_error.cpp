#include <oneline/device.hpp>

namespace oneline {
namespace {

std::string located(const std::string& source, int line, const std::string& message) {
    return line > 0 ? source + ":" + std::to_string(line) + ": " + message : source + ": " + message;
}

}  // namespace

DeviceError::DeviceError(Kind kind, std::string source, int line, const std::string& message,
                         std::vector<std::string> device_names)
    : std::runtime_error(located(source, line, message)),
      kind_(kind),
      source_(std::move(source)),
      line_(line),
      message_(message),
      device_names_(std::move(device_names)) {}

}  // namespace oneline
