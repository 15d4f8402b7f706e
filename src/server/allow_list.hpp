#pragma once

#include "net/ip_address.hpp"

#include <string>
#include <vector>

namespace oneline::server {

/// The peers a server serves: IPv4 and IPv6 addresses and CIDR networks ("10.0.0.0/8",
/// "fd00::/8", "::1"). An IPv4-mapped IPv6 peer (::ffff:a.b.c.d, as a dual-stack listener sees
/// IPv4 peers) matches the IPv4 entries. Empty allows every peer.
class AllowList {
public:
    AllowList() = default;
    /// Parses every entry. Throws Error(std::errc::invalid_argument) naming the first bad one.
    explicit AllowList(const std::vector<std::string>& entries);

    bool empty() const noexcept { return networks_.empty(); }
    /// True when `peer` is on the list, or the list is empty.
    bool admits(const net::IpAddress& peer) const noexcept;

private:
    struct Network {
        net::IpAddress address;
        int prefix = 0;  // leading bits that must match
    };
    std::vector<Network> networks_;
};

}  // namespace oneline::server
