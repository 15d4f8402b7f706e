#pragma once

#include "test/support/raw_socket.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/socket.h>

namespace oneline::bench {

using test::Io;
using test::RawSocket;

/// A resolved server address, so that a connect loop does not pay for name resolution.
struct Endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    std::string name;  ///< "host:port", for messages
};

/// Resolves `host`:`port` to its first TCP address. Throws std::runtime_error.
Endpoint resolve(const std::string& host, std::uint16_t port);

/// A connection to `endpoint` (TCP_NODELAY) within `timeout`. The raw
/// socket shares no code with the library, so the baseline does not either.
/// Throws std::runtime_error with the reason.
RawSocket connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace oneline::bench
