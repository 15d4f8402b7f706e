#include "socket.hpp"

#include <cstring>
#include <netdb.h>
#include <stdexcept>

namespace oneline::bench {

Endpoint resolve(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw std::runtime_error("cannot resolve " + host + ": " + ::gai_strerror(rc));
    }
    Endpoint endpoint;
    std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
    endpoint.length = found->ai_addrlen;
    endpoint.name = (found->ai_family == AF_INET6 ? "[" + host + "]" : host) + ":" + service;
    ::freeaddrinfo(found);
    return endpoint;
}

RawSocket connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    RawSocket socket =
        RawSocket::connect_to(reinterpret_cast<const sockaddr&>(endpoint.address), endpoint.length, timeout);
    if (!socket.valid()) {
        throw std::runtime_error("cannot connect to " + endpoint.name + ": " + std::strerror(socket.error()));
    }
    return socket;
}

}  // namespace oneline::bench
