#pragma once

#include "net/unique_fd.hpp"
#include "net/wake_event.hpp"

namespace oneline::cli {

/// Turns SIGINT and SIGTERM into something one thread waits for, so that the
/// server can be stopped cleanly instead of being killed.
///
/// Construct it before any thread is created: it blocks both signals in the
/// calling thread, threads created later inherit that mask, and so the
/// signals are only ever read from a signalfd, never delivered to a handler.
/// They stay blocked for the rest of the process, which ends after serving.
class SignalWatch {
public:
    /// Blocks SIGINT and SIGTERM and opens the signalfd. Throws Error.
    SignalWatch();

    /// Blocks until SIGINT or SIGTERM arrives (returns its number) or wake()
    /// is called (returns 0); -1 when waiting failed. A signal that arrived
    /// before the call is not lost.
    int wait() noexcept;

    /// Makes wait() return 0. Safe from any thread.
    void wake() noexcept { wake_.signal(); }

private:
    net::UniqueFd signal_fd_;
    net::WakeEvent wake_;
};

}  // namespace oneline::cli
