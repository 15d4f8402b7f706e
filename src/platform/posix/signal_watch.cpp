// Stop signals with plain POSIX (macOS, the BSDs): a sigaction handler writes the signal's number
// into a self-pipe that wait() polls. The handler may run on any thread; SA_RESTART and the
// library's retries on EINTR keep the other threads' calls going.
#include "cli/signal_watch.hpp"

#include "net/wake_event.hpp"
#include "platform/posix/pipe.hpp"
#include "platform/posix/tool_signals.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <iterator>
#include <poll.h>
#include <unistd.h>
#include <vector>

namespace oneline::cli {
namespace {

using namespace platform::posix;

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads it");
std::atomic<int> stop_signal_write_end{-1};  // for the handler: no other way to reach the pipe

void on_stop_signal(int signal) {
    const int saved = errno;
    const int fd = stop_signal_write_end.load();
    if (fd >= 0) {
        const auto number = static_cast<unsigned char>(signal);  // a full pipe is readable already
        [[maybe_unused]] const auto written = ::write(fd, &number, 1);
    }
    errno = saved;
}

Error system_error(int code, const char* what) { return Error(std::error_code(code, std::system_category()), what); }

}  // namespace

struct SignalWatch::State {
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    // Stop signals are ignored from now on, as on Linux where they stay blocked: nothing reads them.
    ~State() {
        for (const int signal : handled) {
            ::signal(signal, SIG_IGN);
        }
        stop_signal_write_end.store(-1);
    }

    PipeEnds signals;  // the handler writes each stop signal's number into it
    net::WakeEvent wake;
    std::vector<int> handled;  // the signals given to the handler
};

SignalWatch::SignalWatch() : state_(std::make_unique<State>()) {
    state_->signals = open_private_pipe();
    if (!make_nonblocking(state_->signals.read_end.get()) || !make_nonblocking(state_->signals.write_end.get())) {
        throw system_error(errno, "fcntl");
    }
    stop_signal_write_end.store(state_->signals.write_end.get());
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    state_->handled.reserve(std::size(kStopSignals));  // no allocation between a sigaction and its push_back
    for (const int signal : kStopSignals) {
        if (!watched(signal)) {
            continue;  // a SIGHUP ignored under `nohup` stays ignored
        }
        if (::sigaction(signal, &action, nullptr) != 0) {
            throw system_error(errno, "sigaction");
        }
        state_->handled.push_back(signal);
    }
    ignore_quiet_signals();
}

SignalWatch::~SignalWatch() = default;

SignalWatch::Wakeup SignalWatch::wait() noexcept {
    for (;;) {
        std::array<pollfd, 2> fds{{{state_->signals.read_end.get(), POLLIN, 0}, {state_->wake.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;  // a handler ran on this thread: its byte is in the pipe
            }
            return {Wakeup::Reason::failed, {}, std::error_code(errno, std::system_category())};
        }
        unsigned char number = 0;
        if (::read(state_->signals.read_end.get(), &number, 1) == 1) {
            return {Wakeup::Reason::stop_requested, stop_signal_name(number), {}};
        }
        if (fds[1].revents != 0) {
            return {Wakeup::Reason::woken, {}, {}};
        }
    }
}

void SignalWatch::wake() noexcept { state_->wake.signal(); }

std::string_view SignalWatch::requests() noexcept { return kStopSignalNames; }

}  // namespace oneline::cli
