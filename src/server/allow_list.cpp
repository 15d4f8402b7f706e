#include "server/allow_list.hpp"

#include <oneline/errors.hpp>

#include <system_error>

namespace oneline::server {
namespace {

constexpr int kMappedPrefixBits = 96;  // ::ffff:0:0/96 holds the IPv4-mapped addresses

[[noreturn]] void reject(const std::string& entry, const std::string& why) {
    throw Error(std::make_error_code(std::errc::invalid_argument), "allow-list entry '" + entry + "': " + why);
}

/// The prefix length written after the '/', or -1 when it is not a plain decimal number.
int parse_prefix(const std::string& text) {
    constexpr std::size_t kMostDigits = 3;
    if (text.empty() || text.size() > kMostDigits || text.find_first_not_of("0123456789") != std::string::npos) {
        return -1;
    }
    return std::stoi(text);
}

bool same_prefix(const net::IpAddress& a, const net::IpAddress& b, int prefix) noexcept {
    constexpr int kByteBits = 8;
    const int whole = prefix / kByteBits;
    for (int i = 0; i < whole; ++i) {
        if (a.bytes[static_cast<std::size_t>(i)] != b.bytes[static_cast<std::size_t>(i)]) {
            return false;
        }
    }
    const int rest = prefix % kByteBits;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xFF << (kByteBits - rest));
    const auto index = static_cast<std::size_t>(whole);
    return (a.bytes[index] & mask) == (b.bytes[index] & mask);
}

}  // namespace

AllowList::AllowList(const std::vector<std::string>& entries) {
    for (const std::string& entry : entries) {
        const std::size_t slash = entry.find('/');
        std::string address_text = entry.substr(0, slash);
        if (address_text.size() >= 2 && address_text.front() == '[' && address_text.back() == ']') {
            address_text = address_text.substr(1, address_text.size() - 2);
        }
        const std::optional<net::IpAddress> address = net::parse_ip(address_text);
        if (!address) {
            reject(entry, "not an IPv4 or IPv6 address or CIDR network (names are not allowed)");
        }
        Network network{*address, address->bits()};
        if (slash != std::string::npos) {
            network.prefix = parse_prefix(entry.substr(slash + 1));
            if (network.prefix < 0 || network.prefix > address->bits()) {
                reject(entry, "the prefix length must be 0.." + std::to_string(address->bits()));
            }
        }
        // An IPv4-mapped network is its IPv4 one: peers are compared as IPv4 when they can be.
        if (const auto v4 = address->mapped_v4(); v4 && network.prefix >= kMappedPrefixBits) {
            network = {*v4, network.prefix - kMappedPrefixBits};
        }
        networks_.push_back(network);
    }
}

bool AllowList::admits(const net::IpAddress& peer) const noexcept {
    if (networks_.empty()) {
        return true;
    }
    const net::IpAddress compared = peer.mapped_v4().value_or(peer);
    for (const Network& network : networks_) {
        if (network.address.is_v6 == compared.is_v6 && same_prefix(network.address, compared, network.prefix)) {
            return true;
        }
    }
    return false;
}

}  // namespace oneline::server
