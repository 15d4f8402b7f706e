// Listening on and connecting to Unix domain sockets with POSIX calls; shared by the Linux and the
// portable POSIX builds.
//
// The socket file must never be wider than asked, not even for a moment. bind() creates it with
// the process's umask, and changing the umask would change it for every thread of the host program
// too. So the socket is bound under a temporary name inside a fresh 0700 directory next to the
// requested path (only this user can reach it there), given its mode, made to listen, and only
// then published under the requested path with link(), which never replaces an existing file: a
// file that appears meanwhile is checked like any other. The temporary name and its directory are
// removed at once; the published name is the same inode.
#include "net/socket_io.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"

#include <oneline/errors.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace oneline::net {
namespace {

/// How many times a path that changes under our feet (a stale file removed, another appearing) is
/// looked at again before giving up.
constexpr int kPublishAttempts = 5;

std::error_code errno_code() noexcept { return {errno, std::system_category()}; }

std::string where(const std::string& path) { return std::string(kUnixScheme) + path; }

/// The longest path a socket address holds (less its terminating NUL).
constexpr std::size_t kLongestPath = sizeof(sockaddr_un{}.sun_path) - 1;

/// The socket address of `path`; throws when it does not fit.
sockaddr_un socket_address(const std::string& path) {
    if (path.empty()) {
        throw Error(std::make_error_code(std::errc::invalid_argument), "unix: needs a path to a socket file");
    }
    if (path.find('\0') != std::string::npos) {
        throw Error(std::make_error_code(std::errc::invalid_argument), where(path) + ": the path holds a NUL byte");
    }
    if (path.size() > kLongestPath) {
        throw Error(std::make_error_code(std::errc::filename_too_long),
                    where(path) + ": path too long for a Unix domain socket (" + std::to_string(path.size()) +
                        " bytes, at most " + std::to_string(kLongestPath) + ")");
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    return address;
}

int connect_to(NativeSocket socket, const sockaddr_un& address) noexcept {
    for (;;) {
        const int status = ::connect(socket, reinterpret_cast<const sockaddr*>(&address), sizeof address);
        if (status == 0 || errno != EINTR) {
            return status;
        }
    }
}

/// What is at a path a server is about to listen on.
enum class Occupant { nothing, stale_socket, live_socket };

/// Looks at `path`: nothing there, a socket nobody listens on (connect refused), or a live one;
/// `seen` is the file it looked at. Throws when it is not a socket or when whether it is live
/// cannot be told (never removed then).
Occupant look_at(const std::string& path, const sockaddr_un& address, FileIdentity& seen) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) {
            return Occupant::nothing;
        }
        throw Error(errno_code(), "listen on " + where(path));
    }
    if (!S_ISSOCK(info.st_mode)) {
        throw Error(std::make_error_code(std::errc::file_exists),
                    "listen on " + where(path) + ": the path exists and is not a socket; it is left alone");
    }
    seen = {static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino)};
    Socket probe = open_stream_socket(AF_UNIX);
    if (!probe) {
        throw Error(last_error(), "listen on " + where(path) + ": cannot make a socket to probe the file");
    }
    if (connect_to(probe.get(), address) == 0) {
        return Occupant::live_socket;
    }
    const int error = errno;
    if (error == ECONNREFUSED) {
        return Occupant::stale_socket;
    }
    if (error == ENOENT) {
        return Occupant::nothing;  // removed meanwhile
    }
    if (error == EAGAIN || error == EINPROGRESS) {
        return Occupant::live_socket;  // its backlog is full: a server is there
    }
    throw Error(std::error_code(error, std::system_category()),
                "listen on " + where(path) + ": cannot tell whether the socket file is in use; it is left alone");
}

[[noreturn]] void throw_in_use(const std::string& path) {
    throw Error(std::make_error_code(std::errc::address_in_use),
                "listen on " + where(path) + ": in use: a server listens on it");
}

/// The directory part of `path` ("." when it has none), with no trailing slash unless it is "/".
std::string parent_of(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

/// A private (0700) directory made next to the socket file, holding the socket under a temporary
/// name until it is published; both are removed when it goes.
class PrivateDirectory {
public:
    explicit PrivateDirectory(const std::string& target) {
        const std::string parent = parent_of(target);
        const std::string pattern = (parent == "/" ? "" : parent) + "/.olXXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (::mkdtemp(buffer.data()) == nullptr) {  // mkdtemp makes it 0700, whatever the umask
            throw Error(errno_code(), "listen on " + where(target) + ": cannot make a private directory in " + parent);
        }
        directory_.assign(buffer.data());
        socket_path_ = directory_ + "/s";
    }
    ~PrivateDirectory() {
        ::unlink(socket_path_.c_str());
        ::rmdir(directory_.c_str());
    }
    PrivateDirectory(const PrivateDirectory&) = delete;
    PrivateDirectory& operator=(const PrivateDirectory&) = delete;

    const std::string& socket_path() const noexcept { return socket_path_; }

private:
    std::string directory_;
    std::string socket_path_;
};

/// Gives the socket bound at `temporary` the name `path`, replacing a stale socket file there;
/// throws when a server listens on `path` or it is no socket.
void publish(const std::string& temporary, const std::string& path, const sockaddr_un& address) {
    for (int attempt = 0; attempt < kPublishAttempts; ++attempt) {
        if (::link(temporary.c_str(), path.c_str()) == 0) {
            return;
        }
        if (errno != EEXIST) {
            throw Error(errno_code(), "listen on " + where(path));
        }
        FileIdentity stale;
        switch (look_at(path, address, stale)) {
            case Occupant::live_socket: throw_in_use(path);
            case Occupant::stale_socket:
                // Only the file found refusing: one that took its place since is looked at anew.
                if (!remove_socket_file(path, stale)) {
                    const int error = errno;
                    FileIdentity now;
                    if (look_at(path, address, now) == Occupant::stale_socket && now.device == stale.device &&
                        now.inode == stale.inode) {
                        throw Error(std::error_code(error, std::system_category()),
                                    "listen on " + where(path) + ": cannot remove the stale socket file");
                    }
                }
                break;
            case Occupant::nothing: break;
        }
    }
    throw Error(std::make_error_code(std::errc::address_in_use),
                "listen on " + where(path) + ": the path kept changing while it was being taken");
}

}  // namespace

bool remove_socket_file(const std::string& path, FileIdentity identity) noexcept {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0 || !S_ISSOCK(info.st_mode) ||
        static_cast<std::uint64_t>(info.st_dev) != identity.device ||
        static_cast<std::uint64_t>(info.st_ino) != identity.inode) {
        return false;  // gone, or another server's file now
    }
    return ::unlink(path.c_str()) == 0;
}

UnixListener listen_unix(const std::string& path, unsigned mode) {
    if (mode > 0777) {
        throw Error(std::make_error_code(std::errc::invalid_argument),
                    "listen on " + where(path) + ": the file mode must be at most 0777");
    }
    const sockaddr_un address = socket_address(path);
    // Fail early, before anything is made, when the path is taken; publish() looks again.
    FileIdentity existing;
    if (look_at(path, address, existing) == Occupant::live_socket) {
        throw_in_use(path);
    }
    start_sockets();
    const PrivateDirectory directory(path);
    if (directory.socket_path().size() > kLongestPath) {
        throw Error(std::make_error_code(std::errc::filename_too_long),
                    where(path) + ": path too long for a Unix domain socket: the socket is first made under a " +
                        "temporary name in the same directory, " + std::to_string(directory.socket_path().size()) +
                        " bytes long, and at most " + std::to_string(kLongestPath) + " fit; use a shorter path");
    }
    const sockaddr_un temporary = socket_address(directory.socket_path());
    Socket socket = open_stream_socket(AF_UNIX);
    if (!socket) {
        throw Error(last_error(), "listen on " + where(path) + ": socket");
    }
    if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&temporary), sizeof temporary) != 0) {
        throw Error(errno_code(), "bind " + where(path));
    }
    struct stat info {};
    if (::chmod(directory.socket_path().c_str(), static_cast<mode_t>(mode)) != 0 ||
        ::lstat(directory.socket_path().c_str(), &info) != 0) {
        throw Error(errno_code(), "listen on " + where(path) + ": cannot set the file mode");
    }
    // Listening before the file is published: a prober must never find it refusing and call it stale.
    if (::listen(socket.get(), SOMAXCONN) != 0) {
        throw Error(errno_code(), "listen on " + where(path));
    }
    // Owned before it is published, so that nothing can leave it behind; until then the path names
    // another file (or none), which the owner never removes.
    UnixSocketFile file(path, {static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino)});
    publish(directory.socket_path(), path, address);
    return {std::move(socket), std::move(file)};
}

Socket connect_unix(const std::string& path, Deadline deadline) {
    const sockaddr_un address = socket_address(path);
    start_sockets();
    Socket socket = open_stream_socket(AF_UNIX);
    if (!socket) {
        throw Error(last_error(), "connect to " + where(path));
    }
    if (connect_to(socket.get(), address) != 0) {
        std::error_code error = last_error();
        if (would_block(error)) {  // Linux, when the server's backlog is full: it does not go on by itself
            throw Error(error, "connect to " + where(path) + ": the server's backlog is full");
        }
        if (!connect_in_progress(error)) {
            throw Error(error, "connect to " + where(path));
        }
        error = wait_connected(socket.get(), deadline);
        if (error) {
            throw Error(error, "connect to " + where(path));
        }
    }
    return socket;
}

ResolvedAddress resolve_unix(const std::string& path) {
    const sockaddr_un address = socket_address(path);
    const auto* first = reinterpret_cast<const unsigned char*>(&address);
    return ResolvedAddress{std::vector<unsigned char>(first, first + sizeof address), where(path)};
}

}  // namespace oneline::net
