#pragma once

#include "net/deadline.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace oneline::handler {

/// A long-lived handler program: SHELL_TEXT run once by the platform's shell, with its stdin and
/// its stdout each a pipe that the owner writes and reads, and its stderr shared with the owner.
/// Owned like a descriptor: however its owner lets go of it (stop(), an exception, the
/// destructor), its stdin is closed, it gets a grace period to end, and then every process it
/// started is killed and cleaned up.
///
/// POSIX: `/bin/sh -c SHELL_TEXT` in a process group of its own; what is left in the group is
/// killed (a process that leaves the group with setsid is out of reach, and everything is when the
/// owner itself is killed with SIGKILL). Windows: `cmd.exe /d /s /c SHELL_TEXT` in a job object
/// that kills the whole tree, also when the owner is killed. Not thread-safe, but for kill().
class HandlerProcess {
public:
    /// What exchange() found.
    struct Progress {
        enum class Kind {
            output,     ///< `size` bytes of output are at the start of the buffer
            ended,      ///< its output has ended: it exited, or closed its stdout (it can answer no more)
            timed_out,  ///< the deadline passed first
            failed,     ///< waiting failed (see `error`); kill() and stop() still work
        };
        Kind kind = Kind::ended;
        std::size_t size = 0;
        std::error_code error;
    };

    /// How the program ended, in words for the log.
    struct Exit {
        bool success = true;      ///< it exited with status 0
        std::string description;  ///< "exited with status 3", "was killed by signal 9"
    };

    /// How long stop() waits, by default, for the program to end by itself after its stdin closes.
    static constexpr std::chrono::milliseconds default_grace{1000};

    /// Starts the program with default signal handling, the owner's environment, stdin and stdout
    /// piped, stderr shared. Throws Error with the reason when it cannot start.
    explicit HandlerProcess(const std::string& shell_text);
    /// stop(default_grace), unless stop() was called.
    ~HandlerProcess();
    HandlerProcess(const HandlerProcess&) = delete;
    HandlerProcess& operator=(const HandlerProcess&) = delete;

    /// Writes the front of `input` to the program's stdin whenever the pipe has room (erasing what
    /// was written), and blocks until the program prints something (placed in `buffer`, at most
    /// `size` bytes), its output ends, or `deadline` passes. Output it printed before it ended
    /// comes first. A program that no longer reads its stdin (closed it, exited) makes the rest of
    /// `input` be dropped. Never raises SIGPIPE.
    Progress exchange(std::string& input, char* buffer, std::size_t size, net::Deadline deadline) noexcept;

    /// Kills every process of the program at once; exchange() then reports the end of its
    /// output. Safe from any thread until stop() or the destructor begins.
    void kill() noexcept;

    /// Closes the program's stdin, waits up to `grace` for it to end (reading and dropping what it
    /// prints meanwhile), then kills every process it left and cleans up. Returns how it ended;
    /// later calls return the same at once.
    Exit stop(std::chrono::milliseconds grace);

    /// How CMD runs, for help texts: "`/bin/sh -c CMD`".
    static std::string_view invocation() noexcept;

private:
    struct State;  // the platform's process, group or job, and pipes
    std::unique_ptr<State> state_;
};

}  // namespace oneline::handler
