#include "test/support/raw_listener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <system_error>

namespace oneline::test {

RawListener::RawListener() : socket_(RawSocket::adopt(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!socket_.valid() || ::bind(fd(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd(), SOMAXCONN) != 0 || ::getsockname(fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::system_error(errno, std::generic_category(), "raw listener on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
}

std::optional<RawSocket> RawListener::accept(std::chrono::milliseconds timeout) {
    pollfd entry{fd(), POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(timeout.count())) <= 0) {
        return std::nullopt;
    }
    RawSocket accepted = RawSocket::adopt(::accept4(fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!accepted.valid()) {
        return std::nullopt;
    }
    accepted.set_no_delay();
    return accepted;
}

}  // namespace oneline::test
