#pragma once

// The signals of the `oneline` tool, shared by its Linux and its portable POSIX code. Included by
// src/platform/ only.
#include <oneline/errors.hpp>

#include <cerrno>
#include <csignal>
#include <string_view>
#include <system_error>

namespace oneline::platform::posix {

/// The signals that ask `oneline server` to stop.
inline constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/// The same, for help texts.
inline constexpr std::string_view kStopSignalNames = "SIGINT, SIGTERM, SIGHUP or SIGQUIT";

/// The signals the tool ignores: SIGPIPE (a reader closed its stderr: a lost log line is no reason
/// to die; the sockets never raise it), SIGUSR1 and SIGUSR2.
inline constexpr int kIgnoredSignals[] = {SIGPIPE, SIGUSR1, SIGUSR2};

/// True for a stop signal the tool watches: each one but a SIGHUP it inherited as ignored (`nohup`),
/// which must stay ignored.
inline bool watched(int signal) noexcept {
    struct sigaction action {};
    return signal != SIGHUP || ::sigaction(signal, nullptr, &action) != 0 || action.sa_handler != SIG_IGN;
}

/// The name of a stop signal, for the server's log.
inline std::string_view stop_signal_name(int signal) noexcept {
    switch (signal) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP";
        case SIGQUIT: return "SIGQUIT";
        default: return "a stop signal";
    }
}

/// Ignores kIgnoredSignals for the rest of the process. Throws Error.
inline void ignore_quiet_signals() {
    for (const int signal : kIgnoredSignals) {
        if (::signal(signal, SIG_IGN) == SIG_ERR) {
            throw Error(std::error_code(errno, std::system_category()), "signal");
        }
    }
}

}  // namespace oneline::platform::posix
