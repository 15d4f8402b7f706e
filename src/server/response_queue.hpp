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
///
/// Responses pushed by the loop's own thread (the callback) go to a buffer
/// only that thread touches, with no lock, as long as no other thread has
/// queued something since the last drain; from then on they queue behind it.
/// Draining takes the loop's buffer first, so each thread's responses keep
/// their order.
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
    /// server loop's own thread, which never needs a wake.
    Push push(std::string_view response, bool from_loop) {
        if (from_loop && !shared_in_use_.load(std::memory_order_acquire)) {
            // open_ changes only on the loop's thread, so the loop may read it unlocked.
            if (!open_) {
                return Push::closed;
            }
            if (over_limit(loop_pending_.size(), response)) {
                return Push::overflow;
            }
            loop_pending_.append(response).push_back('\n');
            return Push::queued;
        }
        const std::lock_guard lock(mutex_);
        if (!open_) {
            return Push::closed;
        }
        if (over_limit(pending_.size(), response)) {
            return Push::overflow;
        }
        pending_.append(response).push_back('\n');
        shared_bytes_.store(pending_.size(), std::memory_order_relaxed);
        shared_in_use_.store(true, std::memory_order_release);
        if (from_loop || wake_sent_) {
            return Push::queued;
        }
        wake_sent_ = true;
        return Push::queued_wake;
    }

    /// Loop thread only: moves every queued byte to the end of `out`; re-arms the wake.
    void drain_into(std::string& out) {
        take(out, loop_pending_);
        if (shared_in_use_.load(std::memory_order_acquire)) {
            const std::lock_guard lock(mutex_);
            take(out, pending_);
            shared_bytes_.store(0, std::memory_order_relaxed);
            shared_in_use_.store(false, std::memory_order_release);
            wake_sent_ = false;
        }
    }

    /// Loop thread only: how many bytes are queued and not drained yet (those of other threads as
    /// last seen), to pause reading commands while the backlog is large.
    std::size_t queued() const noexcept { return loop_pending_.size() + shared_bytes_.load(std::memory_order_relaxed); }

    /// Loop thread only: how many drained bytes are not written yet; they count against the limit.
    void set_held_by_loop(std::size_t bytes) noexcept { held_by_loop_.store(bytes, std::memory_order_relaxed); }

    /// Loop thread only: starts accepting pushes for a new client.
    void open() { reset(true); }

    /// Loop thread only: refuses further pushes and forgets what is queued (the client is gone).
    void close() { reset(false); }

    /// True while a client is connected; safe from any thread.
    bool is_open() const {
        const std::lock_guard lock(mutex_);
        return open_;
    }

    /// True once a push was refused for the limit since open().
    bool overflowed() const noexcept { return overflowed_.load(std::memory_order_relaxed); }

    std::size_t limit() const noexcept { return limit_; }

private:
    static void take(std::string& out, std::string& from) {
        if (out.empty()) {
            out.swap(from);  // the common case: no copy, both buffers keep their capacity
        } else {
            out.append(from);
        }
        from.clear();
    }

    bool over_limit(std::size_t queued, std::string_view response) {
        // Each side checks its own buffer plus what the loop holds: the total stays within twice the limit.
        if (held_by_loop_.load(std::memory_order_relaxed) + queued + response.size() + 1 > limit_) {
            overflowed_.store(true, std::memory_order_relaxed);
            return true;
        }
        return false;
    }

    void reset(bool open) {
        const std::lock_guard lock(mutex_);
        open_ = open;
        pending_.clear();
        loop_pending_.clear();
        shared_in_use_.store(false, std::memory_order_release);
        shared_bytes_.store(0, std::memory_order_relaxed);
        wake_sent_ = false;
        overflowed_.store(false, std::memory_order_relaxed);
        held_by_loop_.store(0, std::memory_order_relaxed);
    }

    const std::size_t limit_;
    mutable std::mutex mutex_;
    std::string pending_;       // pushed under mutex_
    std::string loop_pending_;  // pushed by the loop's thread without a lock
    std::atomic<bool> shared_in_use_{false};
    std::atomic<std::size_t> shared_bytes_{0};  // pending_.size(), readable without the lock
    std::atomic<std::size_t> held_by_loop_{0};
    std::atomic<bool> overflowed_{false};
    bool open_ = false;
    bool wake_sent_ = false;
};

}  // namespace oneline::server
