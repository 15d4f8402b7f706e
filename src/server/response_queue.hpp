#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace oneline::server {

/// Responses waiting to be written to the connected client. Any thread may
/// push; the server loop drains the bytes and writes them. Bounded: a push
/// that would take the unwritten bytes past the limit is refused and marks
/// the queue overflowed, so the loop can drop a client that does not read.
class ResponseQueue {
public:
    enum class Push {
        queued,       ///< queued; the loop will write it before it next waits
        queued_wake,  ///< queued; the loop may be waiting and must be woken
        closed,       ///< no client: nothing queued
        overflow,     ///< over the limit: nothing queued, the client must go
    };

    explicit ResponseQueue(std::size_t limit) : limit_(limit) {}

    /// Appends `response` and a 0x0A. `from_loop` says the caller is the
    /// server loop's own thread (the callback), which never needs a wake.
    Push push(std::string_view response, bool from_loop) {
        const std::lock_guard lock(mutex_);
        if (!open_) {
            return Push::closed;
        }
        if (held_by_loop_.load(std::memory_order_relaxed) + pending_.size() + response.size() + 1 > limit_) {
            overflowed_ = true;
            return Push::overflow;
        }
        pending_.append(response).push_back('\n');
        if (from_loop || wake_sent_) {
            return Push::queued;
        }
        wake_sent_ = true;
        return Push::queued_wake;
    }

    /// Moves every queued byte to the end of `out`; re-arms the wake.
    void drain_into(std::string& out) {
        const std::lock_guard lock(mutex_);
        wake_sent_ = false;
        if (out.empty()) {
            out.swap(pending_);  // the common case: no copy, both buffers keep their capacity
        } else {
            out.append(pending_);
        }
        pending_.clear();
    }

    /// The loop reports how many drained bytes it has not written yet; they count against the limit.
    void set_held_by_loop(std::size_t bytes) noexcept { held_by_loop_.store(bytes, std::memory_order_relaxed); }

    /// Starts accepting pushes for a new client.
    void open() {
        const std::lock_guard lock(mutex_);
        open_ = true;
        overflowed_ = false;
        wake_sent_ = false;
        pending_.clear();
        held_by_loop_.store(0, std::memory_order_relaxed);
    }

    /// Refuses further pushes and forgets what is queued (the client is gone).
    void close() {
        const std::lock_guard lock(mutex_);
        open_ = false;
        pending_.clear();
    }

    bool is_open() const {
        const std::lock_guard lock(mutex_);
        return open_;
    }

    bool overflowed() const {
        const std::lock_guard lock(mutex_);
        return overflowed_;
    }

    std::size_t limit() const noexcept { return limit_; }

private:
    const std::size_t limit_;
    mutable std::mutex mutex_;
    std::string pending_;
    std::atomic<std::size_t> held_by_loop_{0};
    bool open_ = false;
    bool overflowed_ = false;
    bool wake_sent_ = false;
};

}  // namespace oneline::server
