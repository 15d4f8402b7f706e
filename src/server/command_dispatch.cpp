#include "server/command_dispatch.hpp"

#include "server/client_session.hpp"

#include <array>
#include <exception>
#include <new>
#include <utility>

namespace oneline::server {
namespace {

enum class Builtin { none, ping, disconnect, shutdown };

Builtin find_builtin(std::string_view command) {
    static constexpr std::array<std::pair<std::string_view, Builtin>, 3> kBuiltins{{
        {"ping", Builtin::ping},
        {"disconnect", Builtin::disconnect},
        {"shutdown", Builtin::shutdown},
    }};
    for (const auto& [name, builtin] : kBuiltins) {
        if (command == name) {
            return builtin;
        }
    }
    return Builtin::none;
}

/// What built-ins and a ReplyCallback answer through: the loop's own buffer of the session's responses,
/// for the duration of one call. An overflow is acted on once the commands of this read have run.
/// With faults on (`session` not null), a response goes to the session's held responses while its
/// faults intercept them: during a command, and behind responses held back (a `pong` keeps its place).
class SessionReply final : public Reply {
public:
    SessionReply(ResponseQueue& responses, ClientSession* session) : responses_(responses), session_(session) {}
    bool send(std::string_view response) override {
        if (session_ != nullptr && session_->intercepts_responses()) {
            return session_->hold_response(response);
        }
        return responses_.push(response, true) == ResponseQueue::Push::queued;
    }

private:
    ResponseQueue& responses_;
    ClientSession* session_;
};

}  // namespace

bool CommandDispatcher::dispatch(std::string_view command, bool is_invalid) {
    // A command that lost bytes is never taken for a built-in: "pi\xffng" is not "ping".
    switch (is_invalid ? Builtin::none : find_builtin(command)) {
        case Builtin::ping: {
            const bool sent = SessionReply(responses_, session_).send("pong");
            log_.info("'ping' -> ", sent ? "1 response" : "0 responses", " (built-in)");
            return true;
        }
        case Builtin::disconnect: request_ = AfterCommands::disconnect; return false;
        case Builtin::shutdown: request_ = AfterCommands::shutdown; return false;
        case Builtin::none: break;
    }
    if (faults_ != nullptr) {
        return run_with_faults(command, is_invalid);
    }
    run_callback(command, is_invalid);
    // The callback may have stopped the server; the rest of the input then stays unread.
    return !stop_requested_;
}

void CommandDispatcher::use_faults(ClientSession* session) noexcept {
    session_ = session;
    faults_ = session != nullptr ? session->faults() : nullptr;
}

AfterCommands CommandDispatcher::take_request() noexcept { return std::exchange(request_, AfterCommands::go_on); }

bool CommandDispatcher::run_with_faults(std::string_view command, bool is_invalid) {
    faults_->begin_command();
    try {
        run_callback(command, is_invalid);
    } catch (...) {
        faults_->end_command(net::Clock::now());  // out of memory: the session drops the client
        throw;
    }
    const bool ends = faults_->end_command(net::Clock::now()) != fault::Ending::none;
    return !ends && !stop_requested_;
}

void CommandDispatcher::run_callback(std::string_view command, bool is_invalid) {
    try {
        if (config_.reply_callback) {
            SessionReply reply(responses_, session_);
            config_.reply_callback(command, is_invalid, reply);
        } else {
            config_.callback(command, is_invalid);
        }
    } catch (const std::bad_alloc&) {
        throw;  // out of memory is the session's to handle (it drops the client), not the callback's error
    } catch (const std::exception& error) {
        log_.info("callback threw: ", error.what(), "; serving goes on");
    } catch (...) {
        log_.info("callback threw a non-standard exception; serving goes on");
    }
}

}  // namespace oneline::server
