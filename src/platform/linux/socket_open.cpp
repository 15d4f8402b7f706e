// Making and accepting sockets on Linux: non-blocking and close-on-exec in the same call
// (SOCK_NONBLOCK, SOCK_CLOEXEC, accept4), with no window for a fork to inherit them.
#include "net/socket_io.hpp"

#include <cerrno>
#include <sys/socket.h>

namespace oneline::net {

Socket open_stream_socket(int family) noexcept {
    return Socket(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
}

Socket accept_connection(NativeSocket listener) noexcept {
    for (;;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0 || errno != EINTR) {
            return Socket(fd);
        }
    }
}

}  // namespace oneline::net
