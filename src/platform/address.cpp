// Name resolution, listening and connecting: the BSD socket calls that every platform shares,
// with what differs (socket options, how a connect goes on in the background) asked of the
// platform's backend through net/socket_io.hpp.
#include "net/address.hpp"

#include "net/socket_io.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"
#include "platform/bsd_sockets.hpp"

#include <oneline/errors.hpp>

#include <memory>

namespace oneline::net {
namespace {

struct AddrinfoDeleter {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

AddrinfoList resolve(const std::string& host, std::uint16_t port, bool passive) {
    start_sockets();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (status != 0) {
        throw Error(make_error_code(Errc::unknown_host), "cannot resolve '" + host + "': " + ::gai_strerror(status));
    }
    return AddrinfoList(list);
}

std::string sockaddr_text(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = "?";
    std::uint16_t port = 0;
    if (address.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
        port = ntohs(v4.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
        port = ntohs(v6.sin6_port);
    }
    return describe(text, port);
}

}  // namespace

std::string describe(const std::string& host, std::uint16_t port) {
    if (is_unix_address(host)) {
        return host;  // a socket file has no port
    }
    const bool ipv6_literal = host.find(':') != std::string::npos;
    return (ipv6_literal ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Socket listen_tcp(const std::string& host, std::uint16_t port) {
    const AddrinfoList list = resolve(host, port, true);
    std::error_code last = std::make_error_code(std::errc::address_not_available);
    const char* failed_step = "bind";
    for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
        Socket socket = open_stream_socket(entry->ai_family);
        if (!socket) {
            last = last_error();
            failed_step = "socket";
            continue;
        }
        allow_quick_rebind(socket.get());
        if (::bind(socket.get(), entry->ai_addr, static_cast<socklen_t>(entry->ai_addrlen)) != 0) {
            last = last_error();
            failed_step = "bind";
            continue;
        }
        if (::listen(socket.get(), SOMAXCONN) != 0) {
            last = last_error();
            failed_step = "listen";
            continue;
        }
        return socket;
    }
    throw Error(last, std::string(failed_step) + " " + describe(host, port));
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

std::string peer_name(NativeSocket socket) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return "?";
    }
    if (address.ss_family == AF_UNIX) {
        return unix_peer_name(socket);  // its address says nothing: the peer's credentials do
    }
    return sockaddr_text(address);
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
