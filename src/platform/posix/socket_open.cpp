// Making and accepting sockets with plain POSIX calls (socket, accept, then fcntl), as macOS and
// the BSDs need; on Linux the portable build uses this too (-DONELINE_PLATFORM=posix).
#include "net/socket_io.hpp"
#include "platform/posix/descriptor_flags.hpp"

#include <cerrno>
#include <sys/socket.h>

namespace oneline::net {
namespace {

/// Sets up a socket just made or accepted; closes it and returns an invalid one when that fails.
Socket prepare(int fd) noexcept {
    Socket socket(fd);
    if (!socket || !platform::posix::make_nonblocking_and_private(fd)) {
        const int error = errno;
        socket.reset();
        errno = error;
        return socket;
    }
#ifdef SO_NOSIGPIPE
    const int on = 1;  // where send() has no MSG_NOSIGNAL (macOS), the socket itself must not raise SIGPIPE
    ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    return socket;
}

}  // namespace

Socket open_stream_socket(int family) noexcept { return prepare(::socket(family, SOCK_STREAM, 0)); }

Socket accept_connection(NativeSocket listener) noexcept {
    for (;;) {
        const int fd = ::accept(listener, nullptr, nullptr);
        if (fd >= 0 || errno != EINTR) {
            return fd >= 0 ? prepare(fd) : Socket();
        }
    }
}

}  // namespace oneline::net
