#pragma once

#include "fault/draws.hpp"
#include "log/log_sink.hpp"
#include "net/deadline.hpp"

#include <oneline/faults.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace oneline::fault {

/// What a command's faults leave its connection to do once every response owed is written.
enum class Ending {
    none,   ///< serving goes on
    close,  ///< close with an end of stream (close-after)
    reset,  ///< close with a reset (reset-after)
    stall,  ///< read and write nothing more (stall-after)
};

/// The faults of one connected client (see oneline::Faults): counts its non-built-in commands,
/// takes the responses each one sends, drops or cuts them as drawn, and holds them until their
/// time comes. While it holds any, every later response of the loop's thread queues behind them,
/// so the order stays that of the commands.
///
/// Used on the server loop's thread only; nothing here blocks or reads a socket.
class FaultInjector {
public:
    /// `faults` and `log` must outlive the injector.
    FaultInjector(const Faults& faults, const log::LogSink& log);

    /// A new client: its commands count from 1, nothing is held.
    void connect();
    /// The client is gone: forgets what is held.
    void clear() noexcept;

    /// True while a response sent on the loop's thread must go through take(): during a command's
    /// callback, and while responses are held.
    bool intercepting() const noexcept { return in_command_ || !held_.empty(); }

    /// A non-built-in command's callback is about to run: draws its faults.
    void begin_command();
    /// Takes one response (without its 0x0A) sent while intercepting(): during a command it may be
    /// dropped or cut; outside one (a `pong`) it queues behind what is held. Returns false when
    /// taking it would pass `limit` held bytes (nothing taken; the client must go).
    bool take(std::string_view response, std::size_t limit);
    /// The callback has returned at `now`: its responses are held until their time. Says whether
    /// this command ends the connection (then the rest of the input is not run).
    Ending end_command(net::Clock::time_point now);

    /// True while responses (or a delay with none) wait for their time.
    bool holding() const noexcept { return !held_.empty(); }
    /// Bytes held, 0x0A included.
    std::size_t held_bytes() const noexcept { return held_bytes_; }
    /// When the first held response is due; std::nullopt when nothing is held.
    net::Deadline next_release() const;
    /// Appends to `out`, in order, every held response due by `now`.
    void release_due(net::Clock::time_point now, std::string& out);

    /// What the last command's faults asked of the connection; none until one does.
    Ending ending() const noexcept { return ending_; }

private:
    struct Held {
        net::Clock::time_point due;
        std::string bytes;
    };

    const Faults& faults_;
    const log::LogSink& log_;
    std::uint64_t seed_ = 0;
    std::uint64_t command_number_ = 0;
    std::deque<Held> held_;
    std::size_t held_bytes_ = 0;
    std::string current_;  // the running command's responses
    std::size_t responses_ = 0;
    std::chrono::milliseconds delay_{0};
    bool in_command_ = false;
    bool dropping_ = false;
    Draws draws_{0, 0};  // the running command's
    Ending ending_ = Ending::none;
};

}  // namespace oneline::fault
