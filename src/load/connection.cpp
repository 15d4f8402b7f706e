#include "connection.hpp"

#include "net/socket_io.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"

#include <cstddef>

namespace oneline::bench {

Endpoint resolve(const std::string& address, std::uint16_t port) {
    if (net::is_unix_address(address)) {
        return net::resolve_unix(net::unix_path(address));
    }
    return net::resolve_tcp(address, port);
}

Connection::Connection(const Endpoint& server, std::chrono::milliseconds timeout)
    : socket_(net::connect_resolved(server, net::deadline_after(timeout))) {
    // TCP_NODELAY, so that a short command is not held back; a user timeout of zero keeps the system's.
    net::tune_connection(socket_.get(), std::chrono::milliseconds(0));
}

Io Connection::send_all(std::string_view bytes, std::chrono::milliseconds timeout) {
    const net::Deadline deadline = net::deadline_after(timeout);
    while (!bytes.empty()) {
        const std::ptrdiff_t sent = net::send_some(socket_.get(), bytes);
        if (sent < 0) {
            return Io::closed;
        }
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        const short ready = net::wait_for(socket_.get(), net::kWritable, deadline);
        if (ready == 0) {
            return Io::timed_out;
        }
        if ((ready & net::kWritable) == 0) {
            return Io::closed;
        }
    }
    return Io::ok;
}

Io Connection::fill(net::Deadline deadline) {
    if (closed_) {
        return Io::closed;
    }
    char chunk[16 * 1024];
    for (;;) {
        const std::ptrdiff_t got = net::receive_some(socket_.get(), chunk, sizeof chunk);
        if (got > 0) {
            buffered_.append(chunk, static_cast<std::size_t>(got));
            return Io::ok;
        }
        if (got == 0 || !net::would_block(net::last_error())) {
            closed_ = true;
            return Io::closed;
        }
        if (net::wait_for(socket_.get(), net::kReadable, deadline) == 0) {
            return Io::timed_out;
        }
    }
}

Io Connection::read_line(std::string& line, std::chrono::milliseconds timeout) {
    const net::Deadline deadline = net::deadline_after(timeout);
    std::size_t searched = 0;
    for (;;) {
        const std::size_t newline = buffered_.find('\n', searched);
        if (newline != std::string::npos) {
            line.assign(buffered_, 0, newline);
            buffered_.erase(0, newline + 1);
            return Io::ok;
        }
        searched = buffered_.size();
        if (const Io status = fill(deadline); status != Io::ok) {
            return status;
        }
    }
}

Io Connection::read_some(std::string& out, std::chrono::milliseconds timeout) {
    if (buffered_.empty()) {
        if (const Io status = fill(net::deadline_after(timeout)); status != Io::ok) {
            return status;
        }
    }
    out.append(buffered_);
    buffered_.clear();
    return Io::ok;
}

bool Connection::wait_closed(std::chrono::milliseconds timeout) {
    const net::Deadline deadline = net::deadline_after(timeout);
    Io status = Io::ok;
    while (status == Io::ok) {
        status = fill(deadline);
        buffered_.clear();
    }
    return status == Io::closed;
}

void Connection::shutdown_write() noexcept { net::shutdown_sending(socket_.get()); }

void Connection::shutdown_both() noexcept { net::shutdown_both(socket_.get()); }

}  // namespace oneline::bench
