// Making, accepting and closing sockets with Winsock: non-blocking (ioctlsocket FIONBIO) and
// never inherited by child processes.
#include "net/socket_io.hpp"
#include "platform/windows/winsock.hpp"

#include <oneline/errors.hpp>

namespace oneline::net {
namespace {

/// Closes `socket` and returns an invalid one, keeping the error that made it fail for last_error().
Socket discard(Socket& socket) noexcept {
    const int error = ::WSAGetLastError();
    socket.reset();
    ::WSASetLastError(error);
    return Socket();
}

bool make_nonblocking(NativeSocket socket) noexcept {
    u_long on = 1;
    return ::ioctlsocket(socket, FIONBIO, &on) == 0;
}

}  // namespace

void close_socket(NativeSocket socket) noexcept { ::closesocket(socket); }

Socket open_stream_socket(int family) noexcept {
    try {
        start_sockets();
    } catch (const Error&) {
        // Nothing to add: the call below then fails with WSANOTINITIALISED, which last_error() reports.
    }
    Socket socket(::WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
    if (!socket || !make_nonblocking(socket.get())) {
        return discard(socket);
    }
    return socket;
}

Socket accept_connection(NativeSocket listener) noexcept {
    Socket socket(::accept(listener, nullptr, nullptr));
    if (!socket || !make_nonblocking(socket.get())) {
        return discard(socket);
    }
    // Best effort: under a layered service provider a socket may be no kernel handle and the call
    // fails; refusing every connection there would be worse than a socket a child could inherit.
    // NOLINTNEXTLINE(performance-no-int-to-ptr): a SOCKET is a kernel handle
    ::SetHandleInformation(reinterpret_cast<HANDLE>(socket.get()), HANDLE_FLAG_INHERIT, 0);
    return socket;
}

}  // namespace oneline::net
