// Unix domain sockets on Windows: not offered. Windows 10 (1803 and later) has AF_UNIX, but not
// what this library promises with it: a socket file's access there is a matter of ACLs, not of a
// file mode, and the peer's user is not told (no SO_PEERCRED; only its process id, by an ioctl). An
// address "unix:PATH" fails with a clear reason instead.
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"

#include <oneline/errors.hpp>

namespace oneline::net {
namespace {

[[noreturn]] void not_supported(const std::string& what, const std::string& path) {
    throw Error(
        std::make_error_code(std::errc::function_not_supported),
        what + " " + std::string(kUnixScheme) + path + ": Unix domain sockets are not supported on this system");
}

}  // namespace

bool remove_socket_file(const std::string&, FileIdentity) noexcept { return false; }

UnixListener listen_unix(const std::string& path, unsigned) { not_supported("listen on", path); }

Socket connect_unix(const std::string& path, Deadline) { not_supported("connect to", path); }

ResolvedAddress resolve_unix(const std::string& path) { not_supported("connect to", path); }

PeerCredentials peer_credentials(NativeSocket) noexcept { return {}; }

}  // namespace oneline::net
