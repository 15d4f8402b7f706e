// The peer of a Unix domain socket with what POSIX systems offer: getpeereid() (macOS, the BSDs)
// gives its user and group id, not its process. A C library without it (glibc, when this backend
// is built on Linux) has SO_PEERCRED instead; the process id is left out there too, to match.
#include "net/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

namespace oneline::net {

PeerCredentials peer_credentials(NativeSocket socket) noexcept {
#if defined(ONELINE_HAVE_GETPEEREID)
    uid_t user = 0;
    gid_t group = 0;
    if (::getpeereid(socket, &user, &group) != 0) {
        return {};
    }
    return {user, group, std::nullopt};
#elif defined(SO_PEERCRED)
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (::getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 || length != sizeof credentials) {
        return {};
    }
    return {credentials.uid, credentials.gid, std::nullopt};
#else
    static_cast<void>(socket);
    return {};  // the system cannot say who the peer is
#endif
}

}  // namespace oneline::net
