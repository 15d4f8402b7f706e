#pragma once

#include "test/support/raw_socket.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace oneline::test {

/// A listening socket on 127.0.0.1 with an ephemeral port: stands in for a
/// server that misbehaves (never answers, closes at once, sends exact bytes),
/// or serves as a baseline server's listener. Move-only.
class RawListener {
public:
    /// Binds 127.0.0.1, port 0, and listens. Throws std::system_error.
    RawListener();

    /// The port the kernel picked.
    std::uint16_t port() const noexcept { return port_; }
    /// The listening descriptor (blocking), for a caller that accepts on its own.
    RawSocket::Handle fd() const noexcept { return socket_.fd(); }

    /// The next connection (non-blocking underneath, TCP_NODELAY), or
    /// std::nullopt when none came within `timeout`.
    std::optional<RawSocket> accept(std::chrono::milliseconds timeout = RawSocket::kDefaultTimeout);

    /// Closes the listening socket: new connections are refused.
    void close() noexcept { socket_.close(); }

private:
    RawSocket socket_;
    std::uint16_t port_ = 0;
};

}  // namespace oneline::test
