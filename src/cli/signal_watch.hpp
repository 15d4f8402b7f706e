#pragma once

#include <memory>
#include <string_view>
#include <system_error>

namespace oneline::cli {

/// Turns the operating system's requests to stop into something one thread
/// waits for, so that `oneline server` stops cleanly instead of being killed.
///
/// POSIX: SIGINT, SIGTERM, SIGHUP and SIGQUIT ask to stop; SIGPIPE (a reader
/// closed the tool's stderr), SIGUSR1 and SIGUSR2 are ignored; a SIGHUP the
/// tool inherits as ignored (`nohup`) stays ignored. Windows: Ctrl-C,
/// Ctrl-Break and closing the console ask to stop.
///
/// Construct it before any thread is created and keep it for the rest of
/// the process: it changes process-wide signal handling (on Linux it blocks
/// the stop signals in the calling thread, and threads created later inherit
/// that). Once it is gone, stop requests are ignored. Programs the tool
/// starts get default handling back (see ShellProcess).
class SignalWatch {
public:
    /// What ended a wait().
    struct Wakeup {
        enum class Reason {
            woken,           ///< wake() was called
            stop_requested,  ///< a stop signal or console event arrived
            failed,          ///< waiting failed
        };
        Reason reason = Reason::woken;
        std::string_view source;  ///< stop_requested: what asked, e.g. "SIGTERM" or "Ctrl-C"
        std::error_code error;    ///< failed: why
    };

    /// Sets the signal handling up. Throws Error when the system refuses.
    SignalWatch();
    ~SignalWatch();
    SignalWatch(const SignalWatch&) = delete;
    SignalWatch& operator=(const SignalWatch&) = delete;

    /// Blocks until a stop request arrives or wake() is called. A request
    /// that arrived before the call is not lost.
    Wakeup wait() noexcept;

    /// Makes wait() return Reason::woken. Safe from any thread.
    void wake() noexcept;

    /// The stop requests of this platform, for help texts: "SIGINT, SIGTERM, SIGHUP or SIGQUIT".
    static std::string_view requests() noexcept;

private:
    struct State;  // the platform's descriptors or handles
    std::unique_ptr<State> state_;
};

}  // namespace oneline::cli
