// The wait set on Linux: an epoll descriptor watching the sockets and one timerfd for the deadline.
// Level-triggered, so it is readable exactly while something it watches is ready.
#include "net/wait_set.hpp"

#include "net/socket_io.hpp"
#include "platform/poll_translation.hpp"

#include <oneline/errors.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <sys/epoll.h>
#include <sys/timerfd.h>

namespace oneline::net {
namespace {

[[noreturn]] void fail(const char* what) { throw Error(std::error_code(errno, std::system_category()), what); }

// epoll's flags for reading, writing, a hang-up and an error have poll's meanings, so the one
// translation between them and net::Readiness serves here too.
std::uint32_t epoll_events(short wanted) {
    return static_cast<std::uint16_t>(platform::to_poll_events<EPOLLIN, EPOLLOUT>(wanted));
}

short readiness(std::uint32_t events) {
    constexpr std::uint32_t kTranslated = EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR;
    return platform::from_poll_events<EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR>(static_cast<short>(events & kTranslated));
}

// The timer's entry says so in its data, where a socket's entry holds its slot.
constexpr std::uint64_t kTimerData = ~std::uint64_t{0};

}  // namespace

WaitSet::WaitSet()
    : set_(::epoll_create1(EPOLL_CLOEXEC)), timer_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (!set_ || !timer_) {
        fail(!set_ ? "epoll_create1" : "timerfd_create");
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kTimerData;
    if (::epoll_ctl(set_.get(), EPOLL_CTL_ADD, timer_.get(), &event) != 0) {
        fail("epoll_ctl (timer)");
    }
}

WaitSet::~WaitSet() = default;

void WaitSet::watch(std::size_t slot, NativeSocket socket, short wanted, std::uint64_t generation) {
    Watched& old = this->slot(slot);
    const bool same_socket = old.socket != kNoSocket && old.socket == socket && old.generation == generation;
    if (same_socket && old.wanted == wanted) {
        return;
    }
    epoll_event event{};
    event.events = epoll_events(wanted);
    event.data.u64 = slot;
    if (same_socket) {
        // Still open: its owner only wants other events from it, or none.
        if (::epoll_ctl(set_.get(), wanted == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, socket, &event) != 0) {
            fail("epoll_ctl");
        }
        old = wanted == 0 ? Watched{} : Watched{socket, wanted, generation};
        return;
    }
    // Another socket, or none: the one watched before was closed by its owner, which took it out of
    // the set. Its number is not touched: by now it may name another socket (another slot's, or
    // another thread's), whose entry a delete would remove.
    old = {};
    if (socket == kNoSocket || wanted == 0) {
        return;
    }
    if (::epoll_ctl(set_.get(), EPOLL_CTL_ADD, socket, &event) != 0) {
        fail("epoll_ctl");
    }
    old = {socket, wanted, generation};
}

int WaitSet::wait(Deadline deadline, std::vector<short>& ready) {
    ready.assign(watched_.size(), 0);
    constexpr int kMostEvents = 16;  // the server watches its wake event, a client and its listeners
    std::array<epoll_event, kMostEvents> events{};
    const int got = ::epoll_wait(set_.get(), events.data(), kMostEvents, poll_timeout(deadline));
    if (got < 0) {
        return errno == EINTR ? 0 : -1;
    }
    int slots = 0;
    for (int i = 0; i < got; ++i) {
        const epoll_event& event = events[static_cast<std::size_t>(i)];
        if (event.data.u64 != kTimerData && event.data.u64 < ready.size()) {
            ready[event.data.u64] = readiness(event.events);
            ++slots;
        }
    }
    return slots;
}

void WaitSet::collect() noexcept {}  // epoll checks level-triggered entries again whenever it is polled

void WaitSet::set_deadline(Deadline deadline) {
    const auto now = Clock::now();
    if (deadline == armed_ && !expired(armed_, now)) {
        return;  // armed already, and not fired: the timerfd is unreadable as it should be
    }
    if (deadline && armed_ && !expired(armed_, now) && *deadline >= *armed_) {
        // The timer fires no later than needed: a deadline that moved later (the send timeout's
        // does with every write) costs one early wake, after which the next step arms it anew,
        // instead of a system call on every step.
        return;
    }
    itimerspec spec{};  // all zero: disarmed, which also forgets an expiry not read
    if (deadline) {
        // Relative, so that the timerfd's clock and the library's need not be the same one; at least
        // a nanosecond, since zero would disarm it.
        const auto left = std::max<Clock::duration>(*deadline - now, std::chrono::nanoseconds(1));
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
        spec.it_value.tv_sec = static_cast<time_t>(seconds.count());
        spec.it_value.tv_nsec =
            static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(left - seconds).count());
    }
    if (::timerfd_settime(timer_.get(), 0, &spec, nullptr) != 0) {
        fail("timerfd_settime");
    }
    armed_ = deadline;
}

}  // namespace oneline::net
