#pragma once

#include <cstdint>
#include <utility>

namespace oneline::net {

#ifdef _WIN32
using NativeSocket = std::uintptr_t;  // Winsock's SOCKET
#else
using NativeSocket = int;  // a file descriptor
#endif

/// The value of no socket: -1 on POSIX, INVALID_SOCKET on Windows.
inline constexpr NativeSocket kNoSocket = static_cast<NativeSocket>(-1);

/// Closes `socket` (never retried: the descriptor is gone even when the close reports an interruption).
/// The only place in the library that closes a socket; the platform's backend implements it.
void close_socket(NativeSocket socket) noexcept;

/// Owns one socket (or, on POSIX, any descriptor the platform layer polls) and closes it when
/// destroyed. Move-only.
class Socket {
public:
    Socket() noexcept = default;
    explicit Socket(NativeSocket socket) noexcept : socket_(socket) {}
    ~Socket() { reset(); }

    Socket(Socket&& other) noexcept : socket_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    NativeSocket get() const noexcept { return socket_; }
    bool valid() const noexcept { return socket_ != kNoSocket; }
    explicit operator bool() const noexcept { return valid(); }

    /// Gives up ownership without closing.
    NativeSocket release() noexcept { return std::exchange(socket_, kNoSocket); }

    /// Closes the current socket, if any, and takes `socket`.
    void reset(NativeSocket socket = kNoSocket) noexcept {
        if (socket_ != kNoSocket) {
            close_socket(socket_);
        }
        socket_ = socket;
    }

private:
    NativeSocket socket_ = kNoSocket;
};

}  // namespace oneline::net
