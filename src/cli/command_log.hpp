#pragma once

#include "cli/server_behaviour.hpp"
#include "cli/stderr_logger.hpp"

#include <oneline/server.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace oneline::cli {

/// The `-v` line for one command: "'caf' (invalid: undecodable bytes dropped) -> 1 response",
/// with " (handler REASON)" when `failure` is not empty and " in T ms" when `took` is set.
std::string command_log_line(std::string_view command, bool is_invalid, std::size_t responses, std::string_view failure,
                             std::optional<std::chrono::steady_clock::duration> took);

/// A reply callback for `-v`: answers through a behaviour, counting the
/// responses that went out, then logs the command's line on stderr
/// (`oneline srvr: ...`), with the time the behaviour took when `timed`.
/// Copies share one logger; the behaviour must outlive every copy.
class CommandLog {
public:
    CommandLog(ServerBehaviour& behaviour, bool timed)
        : behaviour_(&behaviour), timed_(timed), log_(std::make_shared<StderrLogger>("oneline srvr: ")) {}

    void operator()(std::string_view command, bool is_invalid, Reply& reply) const;

private:
    ServerBehaviour* behaviour_;
    bool timed_;
    std::shared_ptr<StderrLogger> log_;
};

/// The server's reply callback for `behaviour`, which must outlive the server: with `verbose` 0 it
/// is the behaviour alone (no clock read, no log work); from 1 each command gets its `-v` line
/// (see CommandLog), from 2 with the time the behaviour took.
ReplyCallback serve_callback(ServerBehaviour& behaviour, int verbose);

}  // namespace oneline::cli
