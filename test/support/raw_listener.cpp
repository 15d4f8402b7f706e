#include "test/support/raw_listener.hpp"

#include <system_error>

namespace oneline::test {

RawListener::RawListener() : socket_(RawSocket::adopt(native::open_stream(AF_INET))) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!socket_.valid() || ::bind(fd(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd(), SOMAXCONN) != 0 || ::getsockname(fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::system_error(native::last_error(), std::generic_category(), "raw listener on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
}

std::optional<RawSocket> RawListener::accept(std::chrono::milliseconds timeout) {
    if (native::wait(fd(), native::kReadable, std::chrono::steady_clock::now() + timeout) == 0) {
        return std::nullopt;
    }
    RawSocket accepted = RawSocket::adopt(native::accept_connection(fd()));
    if (!accepted.valid()) {
        return std::nullopt;
    }
    accepted.set_no_delay();
    return accepted;
}

}  // namespace oneline::test
