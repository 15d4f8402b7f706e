#pragma once

#include "fault/fault_injector.hpp"
#include "log/log_sink.hpp"
#include "server/response_queue.hpp"

#include <oneline/server.hpp>

#include <atomic>
#include <string_view>

namespace oneline::server {

class ClientSession;

/// What the connection must do once the commands of one read have run.
enum class AfterCommands { go_on, disconnect, shutdown };

/// Runs each command the framer delivers: a built-in (`ping`, `disconnect`,
/// `shutdown`) from a small table first, the user's callback for everything
/// else, with any exception it throws logged and swallowed.
///
/// Used on the server loop's thread only, so the responses of built-ins and of
/// a reply_callback go straight into the loop's own buffer of `responses`: no
/// thread check and no wake, no lock unless another thread has queued
/// responses since the loop last took them (see ResponseQueue). A `disconnect` or `shutdown` is not
/// acted on here: it is remembered until take_request(), so the loop can flush
/// owed responses before it closes the connection. With verbose on, `ping` is
/// logged, one line (`disconnect` and `shutdown` are logged by the close).
class CommandDispatcher {
public:
    /// `config`, `responses`, `stop_requested` and `log` must outlive the dispatcher. Commands go
    /// to the config's reply_callback when it is set, else to its callback.
    CommandDispatcher(const ServerConfig& config, ResponseQueue& responses, const std::atomic<bool>& stop_requested,
                      const log::LogSink& log)
        : config_(config), responses_(responses), stop_requested_(stop_requested), log_(log) {}

    /// Runs one command; `is_invalid` says bytes were dropped from it. Returns
    /// false when the rest of the input must stay unread: after `disconnect`
    /// or `shutdown`, or when the callback stopped the server.
    bool dispatch(std::string_view command, bool is_invalid);

    /// Runs every later non-built-in command through the faults of `session` (null: none), which
    /// must outlive the dispatcher: while they intercept responses, every response sent through a
    /// Reply (a `pong` too) goes to the session's held responses instead of the queue, so that
    /// order is kept. A command whose faults end the connection stops the input, as `disconnect`
    /// does.
    void use_faults(ClientSession* session) noexcept;

    /// What the commands since the last call asked for; forgets it.
    AfterCommands take_request() noexcept;

private:
    void run_callback(std::string_view command, bool is_invalid);
    bool run_with_faults(std::string_view command, bool is_invalid);

    const ServerConfig& config_;
    ResponseQueue& responses_;
    const std::atomic<bool>& stop_requested_;
    const log::LogSink& log_;
    AfterCommands request_ = AfterCommands::go_on;
    fault::FaultInjector* faults_ = nullptr;
    ClientSession* session_ = nullptr;  // with faults on: where intercepted responses go
};

}  // namespace oneline::server
