#include "server/listener_set.hpp"

#include "net/address.hpp"

#include <oneline/errors.hpp>

#include <iterator>
#include <system_error>
#include <utility>

namespace oneline::server {
namespace {

// With port 0, how many ephemeral ports are tried before an address that has each of them taken
// makes listening fail.
constexpr int kEphemeralAttempts = 8;

}  // namespace

void ListenerSet::open(const std::string& host, std::uint16_t port, const std::vector<std::string>& allow) {
    if (is_open()) {
        return;
    }
    AllowList allow_list(allow);
    const std::vector<std::string> addresses = net::listen_addresses(host);
    // Beside others an IPv6 socket takes only IPv6 peers, or "::" would hold the port on 0.0.0.0 too.
    const bool ipv6_only = addresses.size() > 1;
    // The sockets of a failed attempt stay open until the set is bound (or given up): they keep
    // the port that clashed, so the system cannot hand the same one out again.
    std::vector<net::Socket> held;
    for (int attempt = 1;; ++attempt) {
        std::vector<net::Socket> sockets;
        std::uint16_t bound = port;
        try {
            for (const std::string& address : addresses) {
                sockets.push_back(net::listen_tcp(address, bound, host, ipv6_only));
                bound = net::local_port(sockets.back().get());
            }
        } catch (const Error& error) {
            const bool retry = port == 0 && !sockets.empty() && error.code() == std::errc::address_in_use &&
                               attempt < kEphemeralAttempts;
            if (retry) {
                // The port the first address got is taken on another one: try a new one.
                held.insert(held.end(), std::make_move_iterator(sockets.begin()),
                            std::make_move_iterator(sockets.end()));
                continue;
            }
            throw;
        }
        std::vector<std::string> endpoints;
        endpoints.reserve(sockets.size());
        for (const net::Socket& socket : sockets) {
            endpoints.push_back(net::local_name(socket.get()));
        }
        allow_ = std::move(allow_list);
        sockets_ = std::move(sockets);
        endpoints_ = std::move(endpoints);
        port_ = bound;
        return;
    }
}

void ListenerSet::open_unix(const std::string& path, unsigned mode, const std::vector<std::string>& allow) {
    if (is_open()) {
        return;
    }
    AllowList allow_list(allow);
    net::UnixListener bound = net::listen_unix(path, mode);
    allow_ = std::move(allow_list);
    sockets_.push_back(std::move(bound.socket));
    socket_file_ = std::move(bound.file);
    endpoints_.push_back("unix:" + path);
    port_ = 0;
}

void ListenerSet::close() noexcept {
    socket_file_.reset();  // first, so that the path never names a closed socket of this server
    sockets_.clear();
    endpoints_.clear();
    port_ = 0;
}

std::string ListenerSet::endpoints_text() const {
    std::string text;
    for (const std::string& endpoint : endpoints_) {
        text += text.empty() ? "" : " ";
        text += endpoint;
    }
    return text;
}

void ListenerSet::add_poll_entries(std::vector<net::PollEntry>& entries, short wanted) const {
    for (const net::Socket& socket : sockets_) {
        entries.push_back({socket.get(), wanted, 0});
    }
}

bool ListenerSet::admits(net::NativeSocket connection) const {
    if (allow_.empty()) {
        return true;
    }
    const net::PeerAddress peer = net::peer_address(connection);
    switch (peer.kind) {
        case net::PeerAddress::Kind::ip: return allow_.admits(peer.ip);
        case net::PeerAddress::Kind::other: return true;
        case net::PeerAddress::Kind::unknown: return false;
    }
    return false;
}

}  // namespace oneline::server
