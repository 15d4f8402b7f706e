#pragma once

#include <chrono>
#include <optional>

namespace oneline::net {

using Clock = std::chrono::steady_clock;

/// A point in time after which a wait gives up; std::nullopt waits forever.
using Deadline = std::optional<Clock::time_point>;

/// `start` + `timeout`; std::nullopt (never) when the sum is past what the clock can hold, so that
/// a timeout like milliseconds::max() waits forever instead of overflowing into the past.
inline Deadline later(Clock::time_point start, std::chrono::milliseconds timeout) {
    if (timeout <= std::chrono::milliseconds::zero()) {
        return start;
    }
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - start);
    if (timeout >= room) {
        return std::nullopt;
    }
    return start + timeout;
}

inline Deadline deadline_after(std::chrono::milliseconds timeout) { return later(Clock::now(), timeout); }

/// True when `deadline` is set and `now` has reached it.
inline bool expired(Deadline deadline, Clock::time_point now) { return deadline && now >= *deadline; }

/// The poll() timeout that reaches `deadline`: -1 for none, 0 when past,
/// else the remaining time rounded up, so that a sub-millisecond rest
/// never turns into a busy loop of zero-timeout polls.
inline int poll_timeout(Deadline deadline) {
    if (!deadline) {
        return -1;
    }
    const auto left = *deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
        return 0;
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return ms > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(ms);
}

/// The earlier of two deadlines.
inline Deadline earliest(Deadline a, Deadline b) {
    if (!a) {
        return b;
    }
    if (!b) {
        return a;
    }
    return *a < *b ? a : b;
}

}  // namespace oneline::net
