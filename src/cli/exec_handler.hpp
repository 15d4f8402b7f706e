#pragma once

#include "cli/server_behaviour.hpp"
#include "handler/failure_response.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace oneline::cli {

class ShellProcess;

/// Runs a shell command for each command the server receives (`oneline
/// server --exec CMD`) through ShellProcess: `/bin/sh -c CMD sh COMMAND` on
/// POSIX, `cmd.exe /d /s /c CMD` on Windows. COMMAND arrives as "$1" (POSIX)
/// and in the variable ONELINE_COMMAND (everywhere), never spliced into CMD.
/// As the server's behaviour, it answers each command with the lines of one run.
class ExecHandler final : public ServerBehaviour {
public:
    /// Called with each line the program prints, without its 0x0A.
    using Respond = std::function<void(std::string_view line)>;

    /// The response that tells the client a run failed, by default: "error: handler timed out after 2 s".
    static constexpr std::string_view default_failure_response = handler::default_failure_response;

    /// `shell_text` is CMD; a run that takes longer than `timeout` is killed. `failure_response` is the
    /// line sent when a run fails (see run()), `{reason}` in it replaced by why; empty: none is sent.
    ExecHandler(std::string shell_text, std::chrono::milliseconds timeout,
                std::string failure_response = std::string(default_failure_response));

    /// Runs CMD for `command`, with ONELINE_INVALID=1 in its environment when
    /// `is_invalid` (and no ONELINE_INVALID otherwise), stdin from the null
    /// device, stderr shared with the tool. Each line it prints on stdout,
    /// and a last line without 0x0A, is passed to `respond`. Blocks until the
    /// program has exited, it was killed for the timeout or for cancel(), or
    /// it printed more than the output limit (then it is killed too).
    /// Whatever way it returns, an exception included, the processes the
    /// program left running are killed (see ShellProcess). Reports a failure
    /// to start, a non-zero exit status and a kill on stderr.
    ///
    /// The failure response goes to `respond` after the program's own lines
    /// when it was killed (timeout, output limit), and instead of them when
    /// it could not start or ended badly (non-zero status, signal) having
    /// printed nothing. Not when the run was cancelled: the server is stopping.
    /// Returns why the run failed ("exited with status 3", "timed out after
    /// 2 s"), empty when it succeeded.
    std::string run(std::string_view command, bool is_invalid, const Respond& respond);

    /// run() with each line sent through `reply`; returns why the run failed (see run()), valid
    /// until the next call.
    std::string_view answer(std::string_view command, bool is_invalid, Reply& reply) override;

    /// Kills the program of a run in progress and makes later runs return at
    /// once, so that stopping the server stays prompt. Safe from any thread.
    void cancel() noexcept override;

    /// The most a run may print (bytes) before it is killed.
    static constexpr std::size_t output_limit = 16 * 1024 * 1024;

private:
    /// True once cancel() was called.
    bool cancelled() noexcept;

    /// Sends the failure response for `reason`, unless it is silenced.
    void respond_failure(const std::string& reason, const Respond& respond) const;

    std::string shell_text_;
    std::chrono::milliseconds timeout_;
    std::string failure_response_;
    std::mutex mutex_;                 // guards the two below, between run() and cancel()
    bool cancelled_ = false;           // set by cancel()
    ShellProcess* running_ = nullptr;  // the program of the run in progress, for cancel() to kill
    std::string last_failure_;         // what answer() returned last
};

/// False when the first word of `shell_text` is a plain name or path that
/// the shell cannot find as a program or builtin (see shell_may_find()), so
/// a typo fails at startup rather than at every command. True otherwise,
/// also when the first word is not plain (quotes, expansions, assignments):
/// the shell then decides at run time.
bool first_word_runs(const std::string& shell_text);

/// The first word of `shell_text` (up to the first blank), for messages.
std::string first_word(const std::string& shell_text);

/// `duration` for a message: "2 s", "0.5 s".
std::string duration_text(std::chrono::milliseconds duration);

}  // namespace oneline::cli
