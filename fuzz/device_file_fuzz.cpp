// libFuzzer target for the device engine: the loader on arbitrary files, then the compiled device
// on arbitrary commands; and Python format specs and setter templates on arbitrary text.
//
// Input: a first byte picks the part. 'F' (or any byte but 'P'): a device file, an optional 0x00,
// then commands separated by 0x0A answered by it. 'P': a getter template, 0x00, a setter template,
// 0x00, a text to format and parse. A crash, a sanitizer report, a hang or an exception other than
// DeviceError (for a file) or std::invalid_argument (for a template) is a failure.
#include "device/python_format.hpp"
#include "device/setter_pattern.hpp"

#include <oneline/device.hpp>

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

std::string_view next_part(std::string_view& rest, char separator) {
    const std::size_t end = rest.find(separator);
    const std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    return part;
}

void fuzz_device(std::string_view input) {
    const std::string_view file = next_part(input, '\0');
    oneline::DeviceOptions options;
    options.seed = 1;
    try {
        oneline::Device device = oneline::Device::from_string(file, options);
        for (int count = 0; !input.empty() && count < 64; ++count) {
            const std::string_view command = next_part(input, '\n');
            for (const std::string& response : device.answer(command, count % 7 == 6)) {
                if (response.find('\n') != std::string::npos) {
                    __builtin_trap();  // a response must never hold the line feed that ends it
                }
            }
        }
        for (const std::string& name : device.property_names()) {
            try {
                (void)device.get(name);
            } catch (const std::out_of_range&) {
                // a channel property read without its channel
            }
        }
    } catch (const oneline::DeviceError&) {
        // refused: the expected outcome for most inputs
    }
}

void fuzz_templates(std::string_view input) {
    using namespace oneline::device;
    const std::string_view getter = next_part(input, '\0');
    const std::string_view setter = next_part(input, '\0');
    const std::string_view text = input;
    try {
        const PythonFormat format(getter);
        const Value values[] = {Value{std::int64_t{-42}}, Value{1.5e300}, Value{std::string(text)}};
        for (const Value& value : values) {
            if (format.has_field() && !spec_refuses(format.spec(), kind_of(value)).empty()) {
                continue;
            }
            std::string out;
            format.format(value, out);
        }
    } catch (const std::invalid_argument&) {
    }
    try {
        const SetterPattern pattern(setter, true);
        const RE2 regex(pattern.regex(), RE2::Quiet);
        if (!regex.ok()) {
            return;  // a template whose text is not UTF-8: the loader refuses it with RE2's reason
        }
        re2::StringPiece captured[2];
        RE2::Arg args[2] = {RE2::Arg(&captured[0]), RE2::Arg(&captured[1])};
        const RE2::Arg* pointers[2] = {&args[0], &args[1]};
        if (RE2::FullMatchN(re2::StringPiece(text.data(), text.size()), regex, pointers, pattern.groups())) {
            const re2::StringPiece value = captured[pattern.value_group()];
            (void)pattern.convert(std::string_view(value.data(), value.size()));
        }
    } catch (const std::invalid_argument&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] == 'P') {
        fuzz_templates(input);
    } else {
        fuzz_device(input);
    }
    return 0;
}
