#pragma once

#include <atomic>
#include <system_error>
#include <thread>
#include <utility>

namespace oneline::server {

/// Test seam: while true, starting a serving thread fails exactly as std::thread does when the
/// system has no room for another thread (no memory for its stack, a task limit reached), a
/// failure that tests cannot cause on demand inside a process that must go on running.
inline std::atomic<bool> fail_thread_start_for_testing{false};

/// Runs `body` in a new thread. Throws std::system_error when the thread cannot be created.
template <class Body>
std::thread start_serving_thread(Body&& body) {
    if (fail_thread_start_for_testing.load()) {
        throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                                "cannot create a thread");
    }
    return std::thread(std::forward<Body>(body));
}

}  // namespace oneline::server
