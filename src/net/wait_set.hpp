#pragma once

#include "net/deadline.hpp"
#include "net/socket.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace oneline::net {

/// One descriptor that turns readable when any socket watched through it is ready for what it is
/// watched for, or when a deadline passes: what a host program puts in its own wait to learn that
/// the server has work. An epoll descriptor and a timerfd on Linux, a kqueue on macOS and the BSDs;
/// absent elsewhere (the constructor says so). Used by one thread at a time.
class WaitSet {
public:
    /// Throws Error(std::errc::function_not_supported) where the platform has no such descriptor,
    /// Error with the reason when the system has no room for one.
    WaitSet();
    ~WaitSet();
    WaitSet(const WaitSet&) = delete;
    WaitSet& operator=(const WaitSet&) = delete;

    /// The descriptor to wait on for input.
    NativeSocket fd() const noexcept { return set_.get(); }

    /// Watches `socket` in `slot` (0, 1, 2 ...: slots are made as they are first used) for `wanted` (net::Readiness flags), replacing what the slot
    /// watched; kNoSocket or no flags watches nothing there. `generation` tells sockets apart that
    /// share a number (one was closed, the next got its number): a new one is watched anew.
    /// When a slot is given another socket (or none), the one before is taken to be closed already,
    /// which took it out of the set, and its number is left alone: it may name another socket by now. Throws Error when the system refuses.
    void watch(std::size_t slot, NativeSocket socket, short wanted, std::uint64_t generation);

    /// Forgets events the descriptor reported and that no longer hold (a kqueue keeps them until
    /// they are collected), so that it is readable only while something is. Call before watch().
    void collect() noexcept;

    /// Makes the descriptor readable once `deadline` passes (at once when it has), or earlier: a
    /// timer still armed for an earlier time is kept, so a caller may see one early wake (it then
    /// sets its deadline again). std::nullopt clears it. Also
    /// forgets that an earlier deadline passed. Throws Error when the system refuses.
    void set_deadline(Deadline deadline);

    /// For a caller that waits on the set itself instead of on fd() (the server's own loop): waits
    /// until something watched is ready or `deadline` passes. `ready` gets an entry per slot, the
    /// net::Readiness flags reported for its socket (0 where none); the deadline set by
    /// set_deadline() plays no part. Returns how many slots are ready, 0 on timeout or when a
    /// signal interrupted the wait, -1 when waiting failed (net::last_error() says why).
    int wait(Deadline deadline, std::vector<short>& ready);

private:
    struct Watched {
        NativeSocket socket = kNoSocket;
        short wanted = 0;
        std::uint64_t generation = 0;
    };

    Socket set_;
    Socket timer_;      // where deadlines have a descriptor of their own (timerfd)
    Deadline armed_{};  // the deadline set last
    std::vector<Watched> watched_;

    Watched& slot(std::size_t index) {
        if (index >= watched_.size()) {
            watched_.resize(index + 1);
        }
        return watched_[index];
    }
};

}  // namespace oneline::net
