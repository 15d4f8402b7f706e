#pragma once

#include "fault/fault_injector.hpp"
#include "log/log_sink.hpp"

#include <oneline/server.hpp>

#include <atomic>
#include <functional>
#include <string_view>
#include <utility>

namespace oneline::server {

/// What the connection must do once the commands of one read have run.
enum class AfterCommands { go_on, disconnect, shutdown };

/// Runs each command the framer delivers: a built-in (`ping`, `disconnect`,
/// `shutdown`) from a small table first, the user's callback for everything
/// else, with any exception it throws logged and swallowed.
///
/// Used on the server loop's thread only. A `disconnect` or `shutdown` is not
/// acted on here: it is remembered until take_request(), so the loop can flush
/// owed responses before it closes the connection.
class CommandDispatcher {
public:
    /// Queues one response for the client (the server's send()).
    using Send = std::function<bool(std::string_view response)>;

    /// `config`, `stop_requested` and `log` must outlive the dispatcher. Commands go to the
    /// config's reply_callback when it is set, else to its callback.
    CommandDispatcher(const ServerConfig& config, Send send, const std::atomic<bool>& stop_requested,
                      const log::LogSink& log)
        : config_(config), send_(std::move(send)), stop_requested_(stop_requested), log_(log) {}

    /// Runs one command; `is_invalid` says bytes were dropped from it. Returns
    /// false when the rest of the input must stay unread: after `disconnect`
    /// or `shutdown`, or when the callback stopped the server.
    bool dispatch(std::string_view command, bool is_invalid);

    /// Runs every later non-built-in command through `faults` (null: none), which must outlive the
    /// dispatcher. A command whose faults end the connection stops the input, as `disconnect` does.
    void use_faults(fault::FaultInjector* faults) noexcept { faults_ = faults; }

    /// What the commands since the last call asked for; forgets it.
    AfterCommands take_request() noexcept;

private:
    void run_callback(std::string_view command, bool is_invalid);
    bool run_with_faults(std::string_view command, bool is_invalid);

    const ServerConfig& config_;
    Send send_;
    const std::atomic<bool>& stop_requested_;
    const log::LogSink& log_;
    AfterCommands request_ = AfterCommands::go_on;
    fault::FaultInjector* faults_ = nullptr;
};

}  // namespace oneline::server
