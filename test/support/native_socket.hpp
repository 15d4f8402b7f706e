#pragma once

// The operating system's socket headers, and the few socket calls whose spelling differs between
// POSIX and Windows, for the test support's own sources. Shares nothing with the library.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include <chrono>
#include <cstddef>
#include <string_view>

namespace oneline::test::native {

#ifdef _WIN32
using Handle = SOCKET;
#else
using Handle = int;  // a file descriptor
#endif

/// No socket: -1 on POSIX, INVALID_SOCKET on Windows.
inline constexpr Handle kNoHandle = static_cast<Handle>(-1);

/// What wait() asks for and reports.
enum Ready : short {
    kReadable = 1,  ///< input, end of stream or an error can be read
    kWritable = 2,  ///< output can be written
    kBroken = 4,    ///< reported only: the connection failed or hung up, or waiting failed
};

/// Makes sockets usable (Winsock's start-up on Windows, once; nothing elsewhere). Thread-safe;
/// open_stream() calls it. Throws std::system_error when it fails.
void start_sockets();

/// The error of this thread's last failed socket call, as an errno value on every platform
/// (Winsock's codes translated where errno has a match).
int last_error() noexcept;

/// True when `error` (an errno value) only means "not now".
bool would_block(int error) noexcept;

/// A blocking TCP socket of `family` that child processes do not inherit; kNoHandle on failure.
Handle open_stream(int family);

/// Makes `socket` non-blocking; false on failure.
bool make_nonblocking(Handle socket) noexcept;

/// Accepts one pending connection, non-blocking and not inherited; kNoHandle when it cannot.
Handle accept_connection(Handle listener) noexcept;

/// Starts connecting a non-blocking socket: 0 when connected at once, EINPROGRESS while it goes
/// on in the background (see pending_error()), else the errno value of the failure.
int start_connect(Handle socket, const sockaddr& address, socklen_t length) noexcept;

/// The error a background connect ended with (SO_ERROR), as an errno value; 0 when it connected.
int pending_error(Handle socket) noexcept;

/// Waits for `wanted` until `deadline` (rounded up to whole milliseconds). Returns what is
/// ready, 0 on timeout, kBroken when waiting failed.
short wait(Handle socket, short wanted, std::chrono::steady_clock::time_point deadline) noexcept;

/// Sends what the socket takes without blocking and without SIGPIPE (a Windows socket must be
/// non-blocking itself). Returns the count, or -1 (see last_error(), would_block()).
std::ptrdiff_t send(Handle socket, std::string_view bytes) noexcept;

/// Reads what is there without blocking (a Windows socket must be non-blocking itself). Returns
/// the count, 0 at end of stream, or -1 (see last_error(), would_block()).
std::ptrdiff_t receive(Handle socket, char* buffer, std::size_t size) noexcept;

/// Sends end of stream, keeps reading.
void shutdown_sending(Handle socket) noexcept;

/// Closes `socket` (never retried).
void close(Handle socket) noexcept;

}  // namespace oneline::test::native
