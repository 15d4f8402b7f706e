#pragma once

#include "net/address.hpp"
#include "net/deadline.hpp"
#include "net/socket.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

// Unix domain sockets: listening on a socket file that the server owns, connecting to one, and
// who the peer of an accepted connection is. Free of any operating-system header; each platform's
// backend (src/platform/<os>/) implements them.
namespace oneline::net {

/// The mode a listening socket's file gets unless configured otherwise: its owner may connect.
inline constexpr unsigned kDefaultUnixMode = 0600;

/// Which file a path names: its device and inode.
struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
};

/// Removes the socket file `path` when it is still the file `identity` names (a socket), so that a
/// file another server has put there since is left alone. True when it removed it.
bool remove_socket_file(const std::string& path, FileIdentity identity) noexcept;

/// Owns the file a listening Unix domain socket is bound to, and removes it when reset or
/// destroyed, but only while the path still names the file this server created. Move-only.
class UnixSocketFile {
public:
    UnixSocketFile() noexcept = default;
    // cppcheck-suppress passedByValue ; moved into the member
    UnixSocketFile(std::string path, FileIdentity identity) noexcept
        : path_(std::move(path)), identity_(identity), owned_(true) {}
    ~UnixSocketFile() { reset(); }

    UnixSocketFile(UnixSocketFile&& other) noexcept
        : path_(std::move(other.path_)), identity_(other.identity_), owned_(std::exchange(other.owned_, false)) {}
    UnixSocketFile& operator=(UnixSocketFile&& other) noexcept {
        if (this != &other) {
            reset();
            path_ = std::move(other.path_);
            identity_ = other.identity_;
            owned_ = std::exchange(other.owned_, false);
        }
        return *this;
    }
    UnixSocketFile(const UnixSocketFile&) = delete;
    UnixSocketFile& operator=(const UnixSocketFile&) = delete;

    const std::string& path() const noexcept { return path_; }
    bool owned() const noexcept { return owned_; }

    /// Removes the file if it is still this server's (see remove_socket_file()), and owns none.
    void reset() noexcept {
        if (std::exchange(owned_, false)) {
            remove_socket_file(path_, identity_);
        }
    }

private:
    std::string path_;
    FileIdentity identity_;
    bool owned_ = false;
};

/// A listening Unix domain socket and the file it is bound to.
struct UnixListener {
    Socket socket;
    UnixSocketFile file;
};

/// Listens on the socket file `path`, non-blocking and not inherited by children, its file mode
/// `mode` (permission bits only, at most 0777); the file never has a wider mode, even briefly. A
/// stale socket file (nothing listens on it) is replaced. Throws Error with the path in what():
/// std::errc::address_in_use when a server listens on it, std::errc::file_exists when the path is
/// something other than a socket (it is left alone), std::errc::filename_too_long when the path does
/// not fit a socket address, std::errc::invalid_argument for an empty path or a bad mode, else the
/// system's reason; std::errc::function_not_supported where the system has no Unix domain sockets.
UnixListener listen_unix(const std::string& path, unsigned mode);

/// A connected, non-blocking Unix domain socket to `path`, within `deadline`. Throws Error naming
/// "unix:PATH" with the reason (no such file, refused, timed out, path too long, not supported).
Socket connect_unix(const std::string& path, Deadline deadline);

/// The address of the Unix domain socket file `path`, for connect_resolved(). Throws Error as
/// connect_unix() does for a path it cannot use (empty, too long, not supported on this system).
ResolvedAddress resolve_unix(const std::string& path);

/// True when `socket` is a Unix domain socket.
bool is_unix_socket(NativeSocket socket) noexcept;

/// Who is at the other end of a connected Unix domain socket, as far as the platform says.
struct PeerCredentials {
    std::optional<std::uint32_t> user_id;
    std::optional<std::uint32_t> group_id;
    std::optional<std::int64_t> process_id;
};

/// The peer's credentials: user, group and process id from SO_PEERCRED on Linux; user and group id
/// from getpeereid() on other POSIX systems; nothing where the platform cannot say (Windows).
PeerCredentials peer_credentials(NativeSocket socket) noexcept;

/// The peer of a Unix domain socket for the log: "local uid 1000 gid 1000 pid 4242", or
/// "local peer (uid unknown)" where the platform cannot say.
std::string unix_peer_name(NativeSocket socket);

}  // namespace oneline::net
