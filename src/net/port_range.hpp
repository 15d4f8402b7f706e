#pragma once

#include <oneline/errors.hpp>

#include <cstdint>
#include <string>
#include <system_error>

namespace oneline::net {

/// A configured port as the socket calls take it. Throws Error(std::errc::invalid_argument) naming
/// a value outside 0..65535, which would otherwise wrap around to another port.
inline std::uint16_t checked_port(std::int64_t port) {
    constexpr std::int64_t kHighest = 65535;
    if (port < 0 || port > kHighest) {
        throw Error(std::make_error_code(std::errc::invalid_argument),
                    "port " + std::to_string(port) + " is out of range 0.." + std::to_string(kHighest));
    }
    return static_cast<std::uint16_t>(port);
}

}  // namespace oneline::net
