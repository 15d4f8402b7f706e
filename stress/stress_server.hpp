#pragma once

#include <oneline/server.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::stress {

/// A command as the callback received it.
struct ReceivedCommand {
    std::string text;
    bool invalid = false;
};

/// A real oneline::Server on 127.0.0.1 (unless a tweak says otherwise), port 0,
/// running a small service the scenarios drive. Its callback answers:
///  - `echo <text>`  -> `<text>`
///  - `blob <n>`     -> one response of n bytes
///  - `burst <n>`    -> n responses `0` .. `n-1`
///  - `tagged <n> <tag>` -> one response of n bytes: `<tag>`, then `.` up to n (so order shows)
///  - `throw`        -> throws (the server must log it and go on)
///  - `sleep <ms>`   -> sleeps that long, then `slept`
///  - anything else  -> counted, and recorded when recording is on.
/// The destructor stops the server.
class StressServer {
public:
    /// Adjusts the configuration (limits, decoding) before the server is made.
    using Tweak = std::function<void(ServerConfig&)>;

    /// Makes and starts the server. Throws what Server::start throws.
    explicit StressServer(Tweak tweak = {});
    ~StressServer();
    StressServer(const StressServer&) = delete;
    StressServer& operator=(const StressServer&) = delete;

    Server& server() { return *server_; }
    /// The port the first start bound; kept across stop and restart.
    std::uint16_t port() const { return port_; }
    /// The address it listens on: 127.0.0.1, or what a tweak set (a numeric IPv4 address).
    const std::string& address() const { return address_; }

    /// Destroys the (stopped or running) server and starts a new one on the same port.
    void restart_on_same_port();

    /// Records every `anything else` command from now on (bounded by `limit`).
    void record(std::size_t limit);
    /// The recorded commands, in order.
    std::vector<ReceivedCommand> recorded() const;
    /// How many `anything else` commands arrived.
    std::size_t other_commands() const { return other_commands_.load(); }
    /// How many `throw` commands the callback threw for.
    std::size_t throws() const { return throws_.load(); }

private:
    void start(std::uint16_t port);
    void handle(std::string_view command, bool invalid);

    Tweak tweak_;
    std::unique_ptr<Server> server_;
    std::uint16_t port_ = 0;
    std::string address_;
    std::atomic<std::size_t> other_commands_{0};
    std::atomic<std::size_t> throws_{0};
    mutable std::mutex recorded_mutex_;
    std::vector<ReceivedCommand> recorded_;
    std::size_t record_limit_ = 0;
};

}  // namespace oneline::stress
