// The Device of a build without the device engine (no yaml-cpp, fmt or RE2 for the target, as in
// the Windows cross build): it links, and every load says that the engine is not built in.

#include <oneline/device.hpp>

namespace oneline {

struct ONELINE_NO_EXPORT Device::State {};

namespace {

[[noreturn]] void not_built_in(const std::string& source) {
    throw DeviceError(DeviceError::Kind::not_built_in, source, 0,
                      "device files are not supported by this build (it was built without yaml-cpp, fmt and RE2)");
}

}  // namespace

bool Device::built_in() noexcept { return false; }
Device Device::from_file(const std::string& path, const DeviceOptions&) { not_built_in(path); }
Device Device::from_string(std::string_view, const DeviceOptions&, const std::string& source) { not_built_in(source); }
Device::Device(std::unique_ptr<State> state) : state_(std::move(state)) {}
Device::Device(Device&&) noexcept = default;
Device& Device::operator=(Device&&) noexcept = default;
Device::~Device() = default;
const std::string& Device::name() const noexcept {
    static const std::string none;
    return none;
}
void Device::answer(std::string_view, bool, Reply&) {}
std::vector<std::string> Device::answer(std::string_view, bool) { return {}; }
ReplyCallback Device::reply_callback() {
    return [](std::string_view, bool, Reply&) {};
}
void Device::set_fallback(ReplyCallback) {}
void Device::set_rule_log(std::function<void(std::string_view)>) {}
void Device::seed(std::uint64_t) {}
std::vector<std::string> Device::property_names() const { return {}; }
std::string Device::get(std::string_view, std::string_view) const { throw std::out_of_range("no device"); }
void Device::set(std::string_view, std::string_view, std::string_view) { throw std::out_of_range("no device"); }

}  // namespace oneline
