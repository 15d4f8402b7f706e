#pragma once

#include <oneline/export.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace oneline {

/// Misbehaviour on purpose, for testing clients against a server that is late, loses or cuts
/// answers, closes, resets or stalls. Set as ServerConfig::faults; the default has every fault
/// off, and then serving costs nothing more.
///
/// Faults touch only the responses of non-built-in commands, sent from the callback (through
/// its Reply or Server::send on the server's thread); `ping`, `disconnect` and `shutdown` are
/// never faulted, and responses sent from other threads are neither faulted nor held back.
/// Responses keep their order: a held response holds back every later one, a `pong` included.
/// Each client's non-built-in commands are counted from 1, and command number n's faults are
/// drawn from `seed` and n alone: the same seed gives the same faults for the same commands,
/// on every platform. With `verbose` on, each fault applied is logged.
struct ONELINE_EXPORT Faults {
    /// Responses of each non-built-in command are held for a time drawn uniformly from
    /// delay_min..delay_max (both included) after the command ran; a command that answers
    /// nothing still holds back the responses after it that long. Never blocks the serving
    /// loop: stop, timeouts and other clients' arrivals are handled meanwhile. Both zero: no delay.
    std::chrono::milliseconds delay_min{0};
    /// Upper end of the delay; at least delay_min.
    std::chrono::milliseconds delay_max{0};
    /// Probability (0 to 1) that all of a command's responses are dropped.
    double drop = 0.0;
    /// Probability (0 to 1) that a response is cut short: to a length drawn from 0 to one byte
    /// less than it had, still ended by 0x0A. An empty response cannot be cut.
    double truncate = 0.0;
    /// Close the connection with an orderly end of stream (FIN) right after the responses of
    /// each client's Nth non-built-in command are written; what it sent after that command is
    /// not run. Zero: never.
    std::uint64_t close_after = 0;
    /// As close_after, with a reset (RST) instead of an end of stream. When both come at the
    /// same command, the reset wins.
    std::uint64_t reset_after = 0;
    /// After the responses of each client's Nth non-built-in command are written, nothing more is
    /// read from or written to that client until it goes: the idle timeout, a reset by the client
    /// or a stop ends it (its slot stays taken meanwhile). Zero: never.
    std::uint64_t stall_after = 0;
    /// What the faults are drawn from. std::nullopt: a random seed for each run of the server,
    /// logged with `verbose` on, so that a run can be repeated.
    std::optional<std::uint64_t> seed;

    /// True when any fault is on.
    bool enabled() const noexcept {
        return delay_max.count() > 0 || drop > 0.0 || truncate > 0.0 || close_after > 0 || reset_after > 0 ||
               stall_after > 0;
    }

    /// What is wrong with these settings ("drop must be a probability from 0 to 1"); empty when
    /// nothing is. Server::listen() throws Error(std::errc::invalid_argument) with it.
    std::string problem() const;
};

}  // namespace oneline
