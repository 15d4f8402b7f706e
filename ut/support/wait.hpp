#pragma once

#include <chrono>
#include <thread>

namespace oneline::test {

/// The bound every test waits for something that should happen promptly.
/// Generous on purpose: the machine that runs the tests may be loaded.
inline constexpr std::chrono::milliseconds kPatience{5000};

/// Polls `predicate` until it holds or `timeout` passes; returns its last value.
/// For state that has no notification of its own (e.g. Server::client_connected()).
template <class Predicate>
bool wait_until(Predicate&& predicate, std::chrono::milliseconds timeout = kPatience) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return predicate();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

/// Milliseconds since `start`, for asserting how long something took.
inline long long elapsed_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace oneline::test
