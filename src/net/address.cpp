#include "net/address.hpp"

#include "net/socket_io.hpp"

#include <oneline/errors.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace oneline::net {
namespace {

struct AddrinfoDeleter {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

AddrinfoList resolve(const std::string& host, std::uint16_t port, bool passive) {
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

Error system_error(int code, const std::string& what) {
    return Error(std::error_code(code, std::system_category()), what);
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
    const bool ipv6_literal = host.find(':') != std::string::npos;
    return (ipv6_literal ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

UniqueFd listen_tcp(const std::string& host, std::uint16_t port) {
    const AddrinfoList list = resolve(host, port, true);
    int last_error = EADDRNOTAVAIL;
    const char* failed_step = "bind";
    for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
        UniqueFd fd(::socket(entry->ai_family, entry->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, entry->ai_protocol));
        if (!fd) {
            last_error = errno;
            failed_step = "socket";
            continue;
        }
        const int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd.get(), entry->ai_addr, entry->ai_addrlen) != 0) {
            last_error = errno;
            failed_step = "bind";
            continue;
        }
        if (::listen(fd.get(), SOMAXCONN) != 0) {
            last_error = errno;
            failed_step = "listen";
            continue;
        }
        return fd;
    }
    throw system_error(last_error, std::string(failed_step) + " " + describe(host, port));
}

std::uint16_t local_port(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw system_error(errno, "getsockname");
    }
    if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    }
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

std::string peer_name(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return "?";
    }
    return sockaddr_text(address);
}

UniqueFd connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline) {
    const AddrinfoList list = resolve(host, port, false);
    int last_error = ECONNREFUSED;
    for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
        UniqueFd fd(::socket(entry->ai_family, entry->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, entry->ai_protocol));
        if (!fd) {
            last_error = errno;
            continue;
        }
        if (::connect(fd.get(), entry->ai_addr, entry->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last_error = errno;
                continue;
            }
            if (wait_for(fd.get(), POLLOUT, deadline) == 0) {
                last_error = ETIMEDOUT;
                break;  // the time is spent: no other address could do better
            }
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) {
                last_error = error;
                continue;
            }
        }
        return fd;
    }
    throw system_error(last_error, "connect to " + describe(host, port));
}

}  // namespace oneline::net
