// Stop signals on Linux: blocked in every thread and read from a signalfd, so that no handler ever
// runs and no system call of another thread is interrupted.
#include "cli/signal_watch.hpp"

#include "net/wake_event.hpp"
#include "platform/posix/tool_signals.hpp"
#include "platform/posix/unique_fd.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace oneline::cli {
namespace {

using namespace platform::posix;

sigset_t watched_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal : kStopSignals) {
        if (watched(signal)) {  // a blocked SIGHUP would be queued and stop the server despite `nohup`
            sigaddset(&signals, signal);
        }
    }
    return signals;
}

Error system_error(int code, const char* what) { return Error(std::error_code(code, std::system_category()), what); }

}  // namespace

struct SignalWatch::State {
    net::UniqueFd signal_fd;
    net::WakeEvent wake;
};

SignalWatch::SignalWatch() : state_(std::make_unique<State>()) {
    // Blocked for the rest of the process: once the watch is gone, stop signals stay pending, unread.
    const sigset_t signals = watched_signals();
    if (const int error = pthread_sigmask(SIG_BLOCK, &signals, nullptr); error != 0) {
        throw system_error(error, "pthread_sigmask");
    }
    state_->signal_fd.reset(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!state_->signal_fd) {
        throw system_error(errno, "signalfd");
    }
    ignore_quiet_signals();
}

SignalWatch::~SignalWatch() = default;

SignalWatch::Wakeup SignalWatch::wait() noexcept {
    for (;;) {
        std::array<pollfd, 2> fds{{{state_->signal_fd.get(), POLLIN, 0}, {state_->wake.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return {Wakeup::Reason::failed, {}, std::error_code(errno, std::system_category())};
        }
        signalfd_siginfo info{};
        if (::read(state_->signal_fd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            return {Wakeup::Reason::stop_requested, stop_signal_name(static_cast<int>(info.ssi_signo)), {}};
        }
        if (fds[1].revents != 0) {
            return {Wakeup::Reason::woken, {}, {}};
        }
    }
}

void SignalWatch::wake() noexcept { state_->wake.signal(); }

std::string_view SignalWatch::requests() noexcept { return kStopSignalNames; }

}  // namespace oneline::cli
