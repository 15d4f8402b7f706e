// Name resolution, listening and connecting: the BSD socket calls that every platform shares,
// with what differs (socket options, how a connect goes on in the background) asked of the
// platform's backend through net/socket_io.hpp.
#include "net/address.hpp"

#include "net/socket_io.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"
#include "platform/bsd_sockets.hpp"

#include <oneline/errors.hpp>

#include <algorithm>
#include <cstring>
#include <memory>

namespace oneline::net {
namespace {

struct AddrinfoDeleter {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

bool is_bracketed(const std::string& host) { return host.size() >= 2 && host.front() == '[' && host.back() == ']'; }

AddrinfoList resolve(const std::string& host, std::uint16_t port, bool passive) {
    start_sockets();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    const bool bracketed = is_bracketed(host);
    if (bracketed) {
        // Brackets mark an IPv6 literal (as in a URL): never a name to look up.
        hints.ai_family = AF_INET6;
        hints.ai_flags |= AI_NUMERICHOST;
    }
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    const std::string name = unbracketed(host);
    const int status = ::getaddrinfo(name.c_str(), service.c_str(), &hints, &list);
    if (status != 0) {
        const std::string reason = bracketed ? "not an IPv6 address in brackets" : ::gai_strerror(status);
        throw Error(make_error_code(Errc::unknown_host), "cannot resolve '" + host + "': " + reason);
    }
    return AddrinfoList(list);
}

/// The numeric address of `address` ("127.0.0.1", "::1", "fe80::1%eth0"), and its port.
std::string numeric_host(const sockaddr* address, socklen_t length, std::uint16_t& port) {
    char host[1025] = "?";  // NI_MAXHOST
    port = 0;
    if (address->sa_family == AF_INET) {
        port = ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port);
    } else if (address->sa_family == AF_INET6) {
        port = ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port);
    } else {
        return host;
    }
    if (::getnameinfo(address, length, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) {
        return "?";
    }
    return host;
}

std::string sockaddr_text(const sockaddr_storage& address, socklen_t length) {
    std::uint16_t port = 0;
    const std::string host = numeric_host(reinterpret_cast<const sockaddr*>(&address), length, port);
    return describe(host, port);
}

}  // namespace

std::optional<IpAddress> parse_ip(const std::string& text) {
    IpAddress address;
    if (::inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
        return address;
    }
    address.is_v6 = true;
    if (::inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
        return address;
    }
    return std::nullopt;
}

std::string unbracketed(const std::string& host) { return is_bracketed(host) ? host.substr(1, host.size() - 2) : host; }

std::string describe(const std::string& host, std::uint16_t port) {
    if (is_unix_address(host)) {
        return host;  // a socket file has no port
    }
    const std::string bare = unbracketed(host);
    const bool ipv6_literal = bare.find(':') != std::string::npos;
    return (ipv6_literal ? "[" + bare + "]" : bare) + ":" + std::to_string(port);
}

std::vector<std::string> listen_addresses(const std::string& host) {
    const AddrinfoList list = resolve(host, 0, true);
    std::vector<std::string> addresses;
    for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
        if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) {
            continue;
        }
        std::uint16_t port = 0;
        std::string address = numeric_host(entry->ai_addr, static_cast<socklen_t>(entry->ai_addrlen), port);
        // A hosts file may name one address twice: it is listened on once.
        if (address != "?" && std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
            addresses.push_back(std::move(address));
        }
    }
    if (addresses.empty()) {
        throw Error(make_error_code(Errc::unknown_host), "cannot resolve '" + host + "': no IPv4 or IPv6 address");
    }
    return addresses;
}

Socket listen_tcp(const std::string& address, std::uint16_t port, const std::string& host, bool ipv6_only) {
    const std::string named_as = unbracketed(host) == address ? "" : " (an address of " + host + ")";
    const AddrinfoList list = resolve(address, port, true);
    const addrinfo& entry = *list;
    const auto fail = [&](const char* step) {
        const std::error_code error = last_error();
        throw Error(error, std::string(step) + " " + describe(address, port) + named_as);
    };
    Socket socket = open_stream_socket(entry.ai_family);
    if (!socket) {
        fail("socket");
    }
    allow_quick_rebind(socket.get());
    if (ipv6_only && entry.ai_family == AF_INET6) {
        const int on = 1;
        if (::setsockopt(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&on), sizeof on) != 0) {
            fail("setsockopt IPV6_V6ONLY");
        }
    }
    if (::bind(socket.get(), entry.ai_addr, static_cast<socklen_t>(entry.ai_addrlen)) != 0) {
        fail("bind");
    }
    if (::listen(socket.get(), SOMAXCONN) != 0) {
        fail("listen");
    }
    return socket;
}

std::uint16_t local_port(NativeSocket socket) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw Error(last_error(), "getsockname");
    }
    if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    }
    if (address.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    }
    return 0;  // a Unix domain socket: no port
}

bool is_unix_socket(NativeSocket socket) noexcept {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    return ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) == 0 && address.ss_family == AF_UNIX;
}

std::string unix_peer_name(NativeSocket socket) {
    const PeerCredentials peer = peer_credentials(socket);
    if (!peer.user_id) {
        return "local peer (uid unknown)";
    }
    std::string name = "local uid " + std::to_string(*peer.user_id);
    if (peer.group_id) {
        name += " gid " + std::to_string(*peer.group_id);
    }
    if (peer.process_id) {
        name += " pid " + std::to_string(*peer.process_id);
    }
    return name;
}

std::string local_name(NativeSocket socket) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw Error(last_error(), "getsockname");
    }
    return sockaddr_text(address, length);
}

std::string peer_name(NativeSocket socket) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return "?";
    }
    if (address.ss_family == AF_UNIX) {
        return unix_peer_name(socket);  // its address says nothing: the peer's credentials do
    }
    return sockaddr_text(address, length);
}

PeerAddress peer_address(NativeSocket socket) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    PeerAddress peer;
    if (::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return peer;
    }
    if (address.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
        std::memcpy(peer.ip.bytes.data(), &v4.sin_addr, 4);
        peer.kind = PeerAddress::Kind::ip;
    } else if (address.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
        std::memcpy(peer.ip.bytes.data(), &v6.sin6_addr, 16);
        peer.ip.is_v6 = true;
        peer.kind = PeerAddress::Kind::ip;
    } else {
        peer.kind = PeerAddress::Kind::other;
    }
    return peer;
}

ResolvedAddress resolve_tcp(const std::string& host, std::uint16_t port) {
    const AddrinfoList list = resolve(host, port, false);
    const auto* first = reinterpret_cast<const unsigned char*>(list->ai_addr);
    return ResolvedAddress{std::vector<unsigned char>(first, first + list->ai_addrlen), describe(host, port)};
}

Socket connect_resolved(const ResolvedAddress& address, Deadline deadline) {
    sockaddr_storage storage{};
    if (address.bytes.empty() || address.bytes.size() > sizeof storage) {
        throw Error(std::make_error_code(std::errc::invalid_argument), "connect to " + address.name + ": no address");
    }
    std::memcpy(&storage, address.bytes.data(), address.bytes.size());
    start_sockets();
    Socket socket = open_stream_socket(storage.ss_family);
    if (!socket) {
        throw Error(last_error(), "connect to " + address.name);
    }
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&storage),
                  static_cast<socklen_t>(address.bytes.size())) != 0) {
        std::error_code error = last_error();
        if (would_block(error) && storage.ss_family != AF_INET && storage.ss_family != AF_INET6) {
            // A Unix domain socket whose server's backlog is full: it does not go on by itself.
            throw Error(error, "connect to " + address.name + ": the server's backlog is full");
        }
        if (!connect_in_progress(error)) {
            throw Error(error, "connect to " + address.name);
        }
        if (error = wait_connected(socket.get(), deadline); error) {
            throw Error(error, "connect to " + address.name);
        }
    }
    return socket;
}

Socket connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline) {
    const AddrinfoList list = resolve(host, port, false);
    std::error_code last = std::make_error_code(std::errc::connection_refused);
    for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
        Socket socket = open_stream_socket(entry->ai_family);
        if (!socket) {
            last = last_error();
            continue;
        }
        if (::connect(socket.get(), entry->ai_addr, static_cast<socklen_t>(entry->ai_addrlen)) != 0) {
            last = last_error();
            if (!connect_in_progress(last)) {
                continue;
            }
            last = wait_connected(socket.get(), deadline);
            if (last == std::errc::timed_out) {
                break;  // the time is spent: no other address could do better
            }
            if (last) {
                continue;
            }
        }
        return socket;
    }
    throw Error(last, "connect to " + describe(host, port));
}

}  // namespace oneline::net
