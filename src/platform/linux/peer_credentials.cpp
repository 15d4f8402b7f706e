// The peer of a Unix domain socket on Linux: SO_PEERCRED gives its user, group and process id.
#include "net/unix_socket.hpp"

#include <sys/socket.h>

namespace oneline::net {

PeerCredentials peer_credentials(NativeSocket socket) noexcept {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (::getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 || length != sizeof credentials) {
        return {};
    }
    return {credentials.uid, credentials.gid, credentials.pid};
}

}  // namespace oneline::net
