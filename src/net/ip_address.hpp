#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace oneline::net {

/// An IPv4 or IPv6 address as bytes in network order, free of any operating-system type.
struct IpAddress {
    bool is_v6 = false;
    /// IPv4: the first 4 bytes; IPv6: all 16.
    std::array<std::uint8_t, 16> bytes{};

    /// The length of the address in bits: 32 or 128.
    int bits() const noexcept { return is_v6 ? 128 : 32; }
    /// The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:a.b.c.d), or std::nullopt.
    std::optional<IpAddress> mapped_v4() const noexcept {
        constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        for (std::size_t i = 0; is_v6 && i < kMappedPrefix.size(); ++i) {
            if (bytes[i] != kMappedPrefix[i]) {
                return std::nullopt;
            }
        }
        if (!is_v6) {
            return std::nullopt;
        }
        IpAddress v4;
        for (std::size_t i = 0; i < 4; ++i) {
            v4.bytes[i] = bytes[kMappedPrefix.size() + i];
        }
        return v4;
    }
};

/// The address a numeric IPv4 or IPv6 text ("10.0.0.1", "::1") means; std::nullopt for anything
/// else (names, brackets, scope ids). Implemented by the platform layer (inet_pton).
std::optional<IpAddress> parse_ip(const std::string& text);

}  // namespace oneline::net
