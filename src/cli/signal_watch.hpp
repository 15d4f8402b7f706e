#pragma once

#include "net/unique_fd.hpp"
#include "net/wake_event.hpp"

namespace oneline::cli {

/// Sets the signals up for a server that must stop cleanly, never be killed:
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT become something one thread waits
/// for; SIGPIPE (a reader closed the tool's stderr), SIGUSR1 and SIGUSR2 are
/// ignored. A SIGHUP the tool inherits as ignored (`nohup`) stays ignored.
///
/// Construct it before any thread is created: it blocks the stop signals in
/// the calling thread, threads created later inherit that mask, and so those
/// signals are only ever read from a signalfd, never delivered to a handler.
/// They stay blocked, and the others ignored, for the rest of the process,
/// which ends after serving. Programs the tool starts get default handling
/// back (see ShellProcess).
class SignalWatch {
public:
    /// Sets the signals up and opens the signalfd. Throws Error.
    SignalWatch();

    /// Blocks until a stop signal arrives (returns its number) or wake() is
    /// called (returns 0); -1 when waiting failed. A signal that arrived
    /// before the call is not lost.
    int wait() noexcept;

    /// Makes wait() return 0. Safe from any thread.
    void wake() noexcept { wake_.signal(); }

private:
    net::UniqueFd signal_fd_;
    net::WakeEvent wake_;
};

}  // namespace oneline::cli
