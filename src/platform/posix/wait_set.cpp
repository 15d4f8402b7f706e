// The wait set with what POSIX systems other than Linux offer: a kqueue (macOS, the BSDs), with one
// timer event for the deadline. Without kqueue there is none: the constructor says so.
#include "net/wait_set.hpp"

#include "net/socket_io.hpp"

#include <oneline/errors.hpp>

#if __has_include(<sys/event.h>)
#include <array>
#include <cerrno>
#include <chrono>
#include <sys/event.h>
#include <sys/types.h>
#include <unistd.h>

namespace oneline::net {
namespace {

[[noreturn]] void fail(const char* what) { throw Error(std::error_code(errno, std::system_category()), what); }

constexpr std::uintptr_t kTimerIdent = 1;

/// Applies `changes`; a filter to delete that is gone already (its socket was closed) is no error.
void apply(int queue, struct kevent* changes, int count) {
    for (int i = 0; i < count; ++i) {
        if (::kevent(queue, &changes[i], 1, nullptr, 0, nullptr) != 0 &&
            !((changes[i].flags & EV_DELETE) != 0 && (errno == ENOENT || errno == EBADF))) {
            fail("kevent");
        }
    }
}

}  // namespace

WaitSet::WaitSet() : set_(::kqueue()) {
    if (!set_) {
        fail("kqueue");
    }
}

WaitSet::~WaitSet() = default;

void WaitSet::watch(std::size_t slot, NativeSocket socket, short wanted, std::uint64_t generation) {
    Watched& old = this->slot(slot);
    const bool same_socket = old.socket != kNoSocket && old.socket == socket && old.generation == generation;
    if (same_socket && old.wanted == wanted) {
        return;
    }
    std::array<struct kevent, 4> changes{};
    int count = 0;
    const auto change = [&](short filter, unsigned short flags) {
        EV_SET(&changes[static_cast<std::size_t>(count++)], static_cast<std::uintptr_t>(socket), filter, flags, 0, 0,
               nullptr);
    };
    // The same socket, still open, loses the filters it no longer wants. Another socket means the one
    // watched before was closed by its owner, which took its filters out of the queue; its number is
    // not touched, since by now it may name another socket, whose filters a delete would remove.
    const short had = same_socket ? old.wanted : 0;
    if (socket != kNoSocket) {
        if ((had & kReadable) != 0 && (wanted & kReadable) == 0) {
            change(EVFILT_READ, EV_DELETE);
        }
        if ((had & kWritable) != 0 && (wanted & kWritable) == 0) {
            change(EVFILT_WRITE, EV_DELETE);
        }
        if ((wanted & kReadable) != 0 && (had & kReadable) == 0) {
            change(EVFILT_READ, EV_ADD);
        }
        if ((wanted & kWritable) != 0 && (had & kWritable) == 0) {
            change(EVFILT_WRITE, EV_ADD);
        }
    }
    old = {};
    apply(set_.get(), changes.data(), count);
    if (socket != kNoSocket && wanted != 0) {
        old = {socket, wanted, generation};
    }
}

int WaitSet::wait(Deadline deadline, std::vector<short>& ready) {
    ready.assign(watched_.size(), 0);
    std::array<struct kevent, 16> events{};
    timespec timeout{};
    const int milliseconds = poll_timeout(deadline);
    timeout.tv_sec = milliseconds / 1000;
    timeout.tv_nsec = static_cast<long>(milliseconds % 1000) * 1000000L;
    const int got = ::kevent(set_.get(), nullptr, 0, events.data(), static_cast<int>(events.size()),
                             milliseconds < 0 ? nullptr : &timeout);
    if (got < 0) {
        return errno == EINTR ? 0 : -1;
    }
    int slots = 0;
    for (int i = 0; i < got; ++i) {
        const struct kevent& event = events[static_cast<std::size_t>(i)];
        if (event.filter == EVFILT_TIMER) {
            continue;
        }
        for (std::size_t slot = 0; slot < watched_.size(); ++slot) {
            if (watched_[slot].socket == static_cast<NativeSocket>(event.ident)) {
                slots += ready[slot] == 0 ? 1 : 0;
                ready[slot] |= event.filter == EVFILT_WRITE ? kWritable : kReadable;
                if (event.filter == EVFILT_WRITE && (event.flags & EV_EOF) != 0) {
                    ready[slot] |= kHungUp;  // the peer reads no more; an end of its input is only readable
                }
                if ((event.flags & EV_ERROR) != 0) {
                    ready[slot] |= kFailed;
                }
            }
        }
    }
    return slots;
}

void WaitSet::collect() noexcept {
    // A kqueue stays readable while it holds events nobody collected, even ones that no longer
    // hold; collecting them lets it report again only what still holds (level-triggered filters
    // come back at once).
    std::array<struct kevent, 8> events{};
    const timespec no_wait{};
    while (::kevent(set_.get(), nullptr, 0, events.data(), static_cast<int>(events.size()), &no_wait) ==
           static_cast<int>(events.size())) {
    }
}

void WaitSet::set_deadline(Deadline deadline) {
    const auto now = Clock::now();
    if (deadline == armed_ && !expired(armed_, now)) {
        return;
    }
    if (deadline && armed_ && !expired(armed_, now) && *deadline >= *armed_) {
        return;  // the earlier timer wakes the caller, which then sets this deadline again
    }
    struct kevent change {};
    if (deadline) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
        EV_SET(&change, kTimerIdent, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, left.count() > 0 ? left.count() : 0,
               nullptr);
    } else {
        EV_SET(&change, kTimerIdent, EVFILT_TIMER, EV_DELETE, 0, 0, nullptr);
    }
    apply(set_.get(), &change, 1);
    armed_ = deadline;
}

}  // namespace oneline::net

#else  // no kqueue

namespace oneline::net {

WaitSet::WaitSet() {
    throw Error(std::make_error_code(std::errc::function_not_supported),
                "no wait descriptor on this platform (it has no kqueue)");
}
WaitSet::~WaitSet() = default;
void WaitSet::watch(std::size_t, NativeSocket, short, std::uint64_t) {}
void WaitSet::collect() noexcept {}
void WaitSet::set_deadline(Deadline) {}
int WaitSet::wait(Deadline, std::vector<short>&) { return -1; }

}  // namespace oneline::net

#endif
