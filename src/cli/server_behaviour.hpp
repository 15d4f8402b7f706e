#pragma once

#include <oneline/server.hpp>

#include <string_view>

namespace oneline::cli {

/// What `oneline server` answers each command with: one object per behaviour
/// option (--echo, --exec CMD, ...), made once at start and handed to the
/// server as its one reply callback (serve_callback() in command_log.hpp). A
/// new behaviour is a new class and one line where the options choose it
/// (make_behaviour() in server_command.cpp).
///
/// answer() runs on the server's thread, one command at a time; cancel() may
/// come from any thread.
class ServerBehaviour {
public:
    virtual ~ServerBehaviour() = default;

    /// Answers `command` (flagged `is_invalid` when undecodable bytes were
    /// dropped from it) with zero or more `reply.send` calls. Returns why
    /// answering failed, for the `-v` line ("timed out after 2 s"); empty when
    /// it did not. The text stays valid until the next call.
    virtual std::string_view answer(std::string_view command, bool is_invalid, Reply& reply) = 0;

    /// Called once the server listens, before it serves (after the "listening on" line): a
    /// behaviour with a program of its own starts it here. Nothing to do by default.
    virtual void start() {}

    /// Makes a call in progress return soon and later calls at once: the
    /// server is stopping. Safe from any thread; nothing to do by default.
    virtual void cancel() noexcept {}

    ServerBehaviour(const ServerBehaviour&) = delete;
    ServerBehaviour& operator=(const ServerBehaviour&) = delete;

protected:
    ServerBehaviour() = default;
};

/// `--echo`: each command is answered with itself.
class EchoBehaviour final : public ServerBehaviour {
public:
    std::string_view answer(std::string_view command, bool /*is_invalid*/, Reply& reply) override {
        reply.send(command);
        return {};
    }
};

}  // namespace oneline::cli
