#pragma once

#include "support/recording_logger.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::test {

/// One command as the callback received it.
struct ReceivedCommand {
    std::string text;
    bool is_invalid = false;
    bool operator==(const ReceivedCommand& other) const { return text == other.text && is_invalid == other.is_invalid; }
};

inline std::ostream& operator<<(std::ostream& out, const ReceivedCommand& command) {
    return out << '"' << command.text << '"' << (command.is_invalid ? " (invalid)" : "");
}

/// The commands a callback received, in order; safe from any thread.
class CommandLog {
public:
    void add(std::string_view text, bool is_invalid) {
        const std::lock_guard lock(mutex_);
        commands_.push_back({std::string(text), is_invalid});
        changed_.notify_all();
    }

    std::vector<ReceivedCommand> commands() const {
        const std::lock_guard lock(mutex_);
        return commands_;
    }

    /// Waits until at least `count` commands arrived, or `timeout` passes.
    bool wait_for_count(std::size_t count, std::chrono::milliseconds timeout = kPatience) const {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return commands_.size() >= count; });
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<ReceivedCommand> commands_;
};

/// Starts a Server on 127.0.0.1, port 0, verbose into a RecordingLogger,
/// and always stops it at the end of the test, whatever failed.
class ServerTest : public testing::Test {
protected:
    using Handler = std::function<void(std::string_view command, bool is_invalid)>;

    /// The config start_server() uses before `adjust` sees it.
    ServerConfig default_config() {
        ServerConfig config;
        config.address = "127.0.0.1";
        config.port = 0;
        config.logger = logger_;
        config.verbose = true;
        config.callback = [this](std::string_view command, bool is_invalid) {
            log_.add(command, is_invalid);
            if (handler_) {
                handler_(command, is_invalid);
            }
        };
        return config;
    }

    /// Starts the server; `adjust` may change the config first. `handler`
    /// runs in the callback after the command is recorded.
    Server& start_server(const std::function<void(ServerConfig&)>& adjust = {}, Handler handler = {}) {
        handler_ = std::move(handler);
        ServerConfig config = default_config();
        if (adjust) {
            adjust(config);
        }
        server_ = std::make_unique<Server>(std::move(config));
        server_->start();
        return *server_;
    }

    /// A raw connection that the server serves: confirmed by `ping` -> `pong`.
    RawSocket connect_client(const std::string& host = "127.0.0.1") {
        RawSocket socket = RawSocket::connect(server_->port(), host);
        EXPECT_EQ(ask(socket, "ping"), "pong") << "the server does not serve this client";
        return socket;
    }

    /// Sends `command` plus 0x0A and returns the first response line.
    static std::optional<std::string> ask(RawSocket& socket, std::string_view command) {
        if (!socket.send_all(std::string(command) + "\n")) {
            return std::nullopt;
        }
        return socket.read_line();
    }

    void TearDown() override {
        if (server_) {
            server_->stop();
        }
    }

    std::shared_ptr<RecordingLogger> logger_ = std::make_shared<RecordingLogger>();
    CommandLog log_;
    Handler handler_;
    std::unique_ptr<Server> server_;
};

}  // namespace oneline::test
