#include "test/support/socket_probe.hpp"

#include <string>

namespace oneline::test {
namespace {

// The values a socket can have: descriptors count up from 0; Windows handles are multiples of 4.
#ifdef _WIN32
constexpr native::Handle kFirstHandle = 4;
constexpr native::Handle kHandleStep = 4;
constexpr native::Handle kLastHandle = 4 * 16384;
#else
constexpr native::Handle kFirstHandle = 0;
constexpr native::Handle kHandleStep = 1;
constexpr native::Handle kLastHandle = 4096;
#endif

std::uint16_t port_of(const sockaddr_storage& address) noexcept {
    if (address.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    }
    if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    }
    return 0;
}

}  // namespace

std::uint16_t local_port_of(native::Handle socket) noexcept {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return 0;
    }
    return port_of(address);
}

std::uint16_t peer_port_of(native::Handle socket) noexcept {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return 0;
    }
    return port_of(address);
}

native::Handle find_socket(std::uint16_t local_port, std::uint16_t peer_port) noexcept {
    for (native::Handle socket = kFirstHandle; socket < kLastHandle; socket += kHandleStep) {
        const std::uint16_t local = local_port_of(socket);
        if (local != 0 && (local_port == 0 || local == local_port) &&
            (peer_port == 0 ? peer_port_of(socket) != 0 : peer_port_of(socket) == peer_port)) {
            return socket;
        }
    }
    return native::kNoHandle;
}

bool keepalive_enabled(native::Handle socket) noexcept {
    int keepalive = 0;  // a BOOL on Windows, an int on POSIX: both four bytes
    socklen_t length = sizeof keepalive;
    return ::getsockopt(socket, SOL_SOCKET, SO_KEEPALIVE, reinterpret_cast<char*>(&keepalive), &length) == 0 &&
           keepalive != 0;
}

std::size_t fill_send_buffer(native::Handle socket) {
    const std::string junk(64 * 1024, 'j');
    std::size_t total = 0;
    for (;;) {
        const std::ptrdiff_t sent = native::send(socket, junk);
        if (sent <= 0) {
            return total;
        }
        total += static_cast<std::size_t>(sent);
    }
}

}  // namespace oneline::test
