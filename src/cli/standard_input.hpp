#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <system_error>

namespace oneline::cli {

/// Reads up to `size` bytes of the tool's standard input into `buffer`,
/// blocking until at least one byte is there or the input ends. Returns the
/// count; 0 at the end of the input (also when the tool has no standard
/// input, or a pipe's writer has closed it); -1 when reading failed, with
/// the reason in `error`. Retries when a signal interrupts it.
std::ptrdiff_t read_standard_input(char* buffer, std::size_t size, std::error_code& error) noexcept;

/// What wait_for_input() found ready; both may be.
struct InputReadiness {
    bool input = false;   ///< standard input has bytes or has ended: read_standard_input() will not block long
    bool socket = false;  ///< the socket has bytes, has been closed or has failed
};

/// Waits until the tool's standard input or `socket` (a connected socket, as
/// oneline::Client::native_handle() gives it) is ready, or `timeout` passes
/// (negative: no limit), so that a client waiting for its next command still
/// notices at once when the server closes. Nothing ready: the time ran out or
/// a signal came. Where standard input cannot be waited on, it is reported
/// ready at once (a file, or on Windows the console); on Windows a pipe is
/// looked at every 10 ms while the socket is waited on.
InputReadiness wait_for_input(std::intptr_t socket, std::chrono::milliseconds timeout) noexcept;

}  // namespace oneline::cli
