#pragma once

#include "net/deadline.hpp"
#include "net/ip_address.hpp"
#include "net/socket.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace oneline::net {

/// `host` without the brackets around a bracketed IPv6 literal ("[::1]" -> "::1"); any other
/// host as it is.
std::string unbracketed(const std::string& host);

/// "host:port", with brackets around an IPv6 literal, given bracketed or not: "[::1]:5001".
std::string describe(const std::string& host, std::uint16_t port);

/// The distinct numeric addresses `host` resolves to for listening, in the resolver's order
/// ("localhost": "127.0.0.1", "::1"). A bracketed host must be an IPv6 literal. Throws
/// Error(Errc::unknown_host) with the resolver's reason.
std::vector<std::string> listen_addresses(const std::string& host);

/// A listening TCP socket bound to the numeric `address` (one of listen_addresses(`host`)) and
/// `port` (0: ephemeral), rebindable at once after a stop (see allow_quick_rebind()),
/// non-blocking and not inherited by children. `ipv6_only` keeps an IPv6 socket from taking
/// IPv4 peers too, so that an IPv4 address can be bound beside it on the same port. Throws Error
/// with the reason the bind or listen failed, naming "address:port" and, when it differs, `host`.
Socket listen_tcp(const std::string& address, std::uint16_t port, const std::string& host, bool ipv6_only);

/// The local port a socket is bound to.
std::uint16_t local_port(NativeSocket socket);

/// The local address of a bound socket as a client would name it: "127.0.0.1:5001", "[::1]:5001".
std::string local_name(NativeSocket socket);

/// The peer of a connected socket as "address:port", or "?" when unknown.
std::string peer_name(NativeSocket socket);

/// What is known of the peer of a connected socket, for an allow-list.
struct PeerAddress {
    enum class Kind {
        ip,       ///< an IPv4 or IPv6 peer, in `ip`
        other,    ///< a peer of another family (a local socket): no IP address to check
        unknown,  ///< the system could not say (e.g. the peer is already gone)
    };
    Kind kind = Kind::unknown;
    IpAddress ip;
};

/// The address of the peer of a connected socket.
PeerAddress peer_address(NativeSocket socket);

/// A server's address resolved once, so that a client connecting to it many times (a load client)
/// does not pay for name resolution each time: a TCP or a Unix domain socket address.
struct ResolvedAddress {
    std::vector<unsigned char> bytes;  ///< the system's socket address, as it lays it out
    std::string name;                  ///< for messages: "127.0.0.1:5001", "[::1]:5001" or "unix:PATH"
};

/// The first address `host` (a bracketed host must be an IPv6 literal) resolves to for TCP on
/// `port`. Throws Error(Errc::unknown_host) with the resolver's reason.
ResolvedAddress resolve_tcp(const std::string& host, std::uint16_t port);

/// A connected, non-blocking socket to `address` (see resolve_tcp(), resolve_unix()) within
/// `deadline`. Throws Error naming the address with the reason (refused, timed out, no such file).
Socket connect_resolved(const ResolvedAddress& address, Deadline deadline);

/// A connected, non-blocking TCP socket to `host`:`port`, trying each address the host resolves
/// to until `deadline`. A bracketed host must be an IPv6 literal. Throws Error with the reason
/// (refused, timed out, unknown host).
Socket connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline);

}  // namespace oneline::net
