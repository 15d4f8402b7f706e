#pragma once

#include "net/socket.hpp"
#include "net/socket_io.hpp"
#include "net/unix_socket.hpp"
#include "server/allow_list.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace oneline::server {

/// The listening sockets of a server: one for each address its host name resolves to, all on one
/// port, with the allow-list that decides which accepted peers are served.
class ListenerSet {
public:
    /// Listens on every distinct address `host` resolves to, all on `port`; port 0 binds an
    /// ephemeral port on the first address and the same one on the others, and when that port is
    /// taken on another address the whole set is tried again with a new one, a few times.
    /// Parses `allow` first. Throws Error: a bad allow-list entry, an unknown host, or the reason
    /// one address could not be bound, naming that address. Leaves the set closed when it throws.
    void open(const std::string& host, std::uint16_t port, const std::vector<std::string>& allow);
    /// Listens on the Unix domain socket file `path` with file mode `mode` (see net::listen_unix);
    /// the file is removed by close(). `allow` is checked as open() checks it, though it admits
    /// every local peer: the file's mode decides who may connect.
    void open_unix(const std::string& path, unsigned mode, const std::vector<std::string>& allow);
    /// Closes every listening socket, and removes the socket file of open_unix(): new clients are
    /// refused from now on.
    void close() noexcept;

    bool is_open() const noexcept { return !sockets_.empty(); }
    /// The port every socket is bound to; 0 when closed or on a Unix domain socket.
    std::uint16_t port() const noexcept { return port_; }
    /// Each address listened on as a client names it ("127.0.0.1:5001", "[::1]:5001", "unix:PATH").
    const std::vector<std::string>& endpoints() const noexcept { return endpoints_; }
    /// The endpoints on one line, separated by spaces.
    std::string endpoints_text() const;

    /// Appends one entry per listening socket to `entries`, asking for `wanted` (0: none).
    void add_poll_entries(std::vector<net::PollEntry>& entries, short wanted) const;
    /// The socket behind the `index`th entry add_poll_entries() appended.
    net::NativeSocket socket(std::size_t index) const noexcept { return sockets_[index].get(); }
    std::size_t size() const noexcept { return sockets_.size(); }

    /// True when the peer of the accepted `connection` may be served: the allow-list is empty,
    /// names it, or the peer is not an IP peer (a local socket, governed by its file's mode).
    bool admits(net::NativeSocket connection) const;

private:
    AllowList allow_;
    std::vector<net::Socket> sockets_;
    net::UnixSocketFile socket_file_;  // open_unix()'s file, removed with its socket
    std::vector<std::string> endpoints_;
    std::uint16_t port_ = 0;
};

}  // namespace oneline::server
