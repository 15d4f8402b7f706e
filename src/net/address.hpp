#pragma once

#include "net/deadline.hpp"
#include "net/socket.hpp"

#include <cstdint>
#include <string>

namespace oneline::net {

/// "host:port", with brackets around an IPv6 literal: "[::1]:5001".
std::string describe(const std::string& host, std::uint16_t port);

/// A listening TCP socket bound to `host`:`port` (port 0: ephemeral), rebindable at once after a
/// stop (see allow_quick_rebind()), non-blocking and not inherited by children. Tries each address
/// the host resolves to. Throws Error: Errc::unknown_host, or the reason the bind or listen failed,
/// with "host:port" in what().
Socket listen_tcp(const std::string& host, std::uint16_t port);

/// The local port a socket is bound to.
std::uint16_t local_port(NativeSocket socket);

/// The peer of a connected socket as "address:port", or "?" when unknown.
std::string peer_name(NativeSocket socket);

/// A connected, non-blocking TCP socket to `host`:`port`, trying each address the host resolves
/// to until `deadline`. Throws Error with the reason (refused, timed out, unknown host).
Socket connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline);

}  // namespace oneline::net
