#pragma once

#include "net/deadline.hpp"
#include "net/socket.hpp"

#include <chrono>
#include <cstddef>
#include <string_view>
#include <system_error>

// The socket operations the library needs, free of any operating-system header. Each platform's
// backend (src/platform/<os>/) implements them; failures leave their reason for last_error().
namespace oneline::net {

/// What a wait asks for and what it reports, whatever the platform's own flags are.
enum Readiness : short {
    kReadable = 1,  ///< input (or end of stream) can be read
    kWritable = 2,  ///< output can be written
    kHungUp = 4,    ///< reported only: the peer closed both directions
    kFailed = 8,    ///< reported only: the socket has an error (or is not one)
};

/// One socket to wait on: `wanted` is filled in by the caller, `ready` by wait_any().
struct PollEntry {
    NativeSocket socket = kNoSocket;
    short wanted = 0;
    short ready = 0;
};

/// The error of this thread's last failed socket operation, compared with std::errc values on
/// every platform (e.g. std::errc::operation_would_block); its message is the system's reason.
std::error_code last_error() noexcept;

/// True for the errors that only mean "not now": would block, try again.
inline bool would_block(const std::error_code& error) noexcept {
    return error == std::errc::operation_would_block || error == std::errc::resource_unavailable_try_again;
}

/// Makes sockets usable (Winsock's start-up on Windows, nothing elsewhere). Idempotent and
/// thread-safe; every function here that creates a socket calls it. Throws Error when it fails.
void start_sockets();

/// Waits until one of `entries` is ready, or `deadline` passes. Returns how many are ready (0:
/// timed out), or -1 when waiting failed (see last_error()). Retries when a signal interrupts.
int wait_any(PollEntry* entries, std::size_t count, Deadline deadline) noexcept;

/// Waits for `wanted` on one socket. Returns what is ready, 0 on timeout, kFailed when waiting failed.
inline short wait_for(NativeSocket socket, short wanted, Deadline deadline) noexcept {
    PollEntry entry{socket, wanted, 0};
    return wait_any(&entry, 1, deadline) < 0 ? static_cast<short>(kFailed) : entry.ready;
}

/// A new non-blocking TCP socket of `family` (AF_INET, AF_INET6) that child processes do not
/// inherit and that never raises SIGPIPE; invalid when it cannot be made (see last_error()).
Socket open_stream_socket(int family) noexcept;

/// Accepts one pending connection, non-blocking and not inherited by children like
/// open_stream_socket(); invalid when there is none or accepting failed (see last_error()).
Socket accept_connection(NativeSocket listener) noexcept;

/// Lets a listening socket be bound again at once after a stop, and by nobody else meanwhile:
/// SO_REUSEADDR on POSIX; SO_EXCLUSIVEADDRUSE on Windows, where SO_REUSEADDR would share the port.
void allow_quick_rebind(NativeSocket listener) noexcept;

/// True when a non-blocking connect() failed with `error` only because it goes on in the background.
bool connect_in_progress(const std::error_code& error) noexcept;

/// Waits until a non-blocking connect finishes or `deadline` passes. Returns no error when it
/// connected, std::errc::timed_out when the time ran out, else the reason it failed.
std::error_code wait_connected(NativeSocket socket, Deadline deadline) noexcept;

/// Sends as much of `bytes` as the socket takes without blocking, never raising SIGPIPE. Returns
/// the count sent (0 when the buffer is full), or -1 when the connection failed (see last_error()).
std::ptrdiff_t send_some(NativeSocket socket, std::string_view bytes) noexcept;

/// Reads what is available into `buffer` without blocking. Returns the count, 0 at end of stream,
/// or -1 (see last_error(); would_block() when there was nothing to read). Retries on interruption.
std::ptrdiff_t receive_some(NativeSocket socket, char* buffer, std::size_t size) noexcept;

/// Sends end of stream and keeps reading (a half-close).
void shutdown_sending(NativeSocket socket) noexcept;

/// Shuts both directions down: a thread waiting on the socket in another thread wakes up.
void shutdown_both(NativeSocket socket) noexcept;

/// Makes the socket's close send a reset (RST) at once instead of an end of stream, dropping what
/// was not sent yet (SO_LINGER with a zero timeout).
void reset_on_close(NativeSocket socket) noexcept;

/// The TCP user timeout accepted connections get unless configured otherwise.
inline constexpr std::chrono::milliseconds kDefaultUserTimeout{120000};

/// Turns on TCP keepalive (probes after 60 s idle, every 10 s, 6 of them where the platform lets
/// the count be set) and a TCP user timeout (data sent and unacknowledged for `user_timeout` ends
/// the connection, where the platform has one; zero leaves the system's default), so that a vanished peer is found whether or not
/// data is in flight; and TCP_NODELAY, so that a short response is not held back. Does nothing
/// to a Unix domain socket, which has none of these.
void tune_connection(NativeSocket socket, std::chrono::milliseconds user_timeout = kDefaultUserTimeout) noexcept;

}  // namespace oneline::net
