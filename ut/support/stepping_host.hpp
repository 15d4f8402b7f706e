#pragma once

#include "support/wait.hpp"

#include <oneline/server.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

#ifndef _WIN32
#include <poll.h>
#endif

namespace oneline::test {

/// A host program's loop that drives a Server one step at a time, in a thread of its own, as an
/// embedding application would: either serve_once with a timeout, or (POSIX) a wait on the
/// server's wait descriptor without a timeout of its own, then serve_once(0). Ends when a step
/// reports the run stopped, or when the host is destroyed (after stopping the server).
class SteppingHost {
public:
    enum class Wait {
        serve_once_timeout,  ///< serve_once(kStep) again and again
        descriptor,          ///< poll the wait descriptor, then serve_once(0)
    };

    /// The longest a serve_once of the timeout kind waits.
    static constexpr std::chrono::milliseconds kStep{50};

    SteppingHost(Server& server, Wait wait) : server_(server), wait_(wait), thread_([this] { run(); }) {}

    ~SteppingHost() {
        server_.stop();  // a run that stop() ends between two steps is reported by the next one
        quit_ = true;
        thread_.join();
    }

    SteppingHost(const SteppingHost&) = delete;
    SteppingHost& operator=(const SteppingHost&) = delete;

    /// Waits until the first step began the run (the port is known then).
    bool wait_until_serving() const { return server_.wait_until_running(kPatience); }
    /// Waits until a step reported the run stopped.
    bool wait_until_reported_stopped() const {
        return wait_until([this] { return reported_stopped_.load(); });
    }
    bool reported_stopped() const { return reported_stopped_; }
    /// Descriptor mode: waits that ran out of patience with the descriptor never readable (a wake
    /// that did not come). Zero when every piece of work made the descriptor readable.
    int missed_wakes() const { return missed_wakes_; }
    /// How many times serve_once ran.
    long steps() const { return steps_; }
    /// What a step threw, if one did.
    std::exception_ptr failure() const { return failure_; }

private:
    void run() {
        try {
            const int fd = wait_ == Wait::descriptor ? server_.wait_descriptor() : -1;
            while (!quit_) {
                std::chrono::milliseconds timeout = kStep;
                if (wait_ == Wait::descriptor) {
                    timeout = std::chrono::milliseconds::zero();
                    if (!wait_readable(fd)) {
                        ++missed_wakes_;
                    }
                }
                ++steps_;
                if (server_.serve_once(timeout) == ServeStatus::stopped) {
                    reported_stopped_ = true;
                    return;
                }
            }
        } catch (...) {
            failure_ = std::current_exception();
        }
    }

    bool wait_readable([[maybe_unused]] int fd) const {
#ifndef _WIN32
        pollfd entry{fd, POLLIN, 0};
        for (;;) {
            const int ready = ::poll(&entry, 1, static_cast<int>(kPatience.count()));
            if (ready > 0 || (ready == 0 && quit_)) {
                return true;
            }
            if (ready == 0) {
                return false;
            }
        }
#else
        return false;
#endif
    }

    Server& server_;
    const Wait wait_;
    std::atomic<bool> quit_{false};
    std::atomic<bool> reported_stopped_{false};
    std::atomic<int> missed_wakes_{0};
    std::atomic<long> steps_{0};
    std::exception_ptr failure_;
    std::thread thread_;  // last: it starts once everything above is made
};

}  // namespace oneline::test
