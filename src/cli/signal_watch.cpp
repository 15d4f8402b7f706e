#include "cli/signal_watch.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>

namespace oneline::cli {
namespace {

bool inherited_as_ignored(int signal) {
    struct sigaction action {};
    return ::sigaction(signal, nullptr, &action) == 0 && action.sa_handler == SIG_IGN;
}

sigset_t stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal : {SIGINT, SIGTERM, SIGQUIT}) {
        sigaddset(&signals, signal);
    }
    if (!inherited_as_ignored(SIGHUP)) {  // blocked, it would be queued and stop the server despite `nohup`
        sigaddset(&signals, SIGHUP);
    }
    return signals;
}

Error system_error(int code, const char* what) { return Error(std::error_code(code, std::system_category()), what); }

}  // namespace

SignalWatch::SignalWatch() {
    const sigset_t signals = stop_signals();
    if (const int error = pthread_sigmask(SIG_BLOCK, &signals, nullptr); error != 0) {
        throw system_error(error, "pthread_sigmask");
    }
    signal_fd_.reset(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signal_fd_) {
        throw system_error(errno, "signalfd");
    }
    // A failed write to a closed stderr is a lost log line, not a reason to die; the sockets never raise it.
    for (const int signal : {SIGPIPE, SIGUSR1, SIGUSR2}) {
        if (::signal(signal, SIG_IGN) == SIG_ERR) {
            throw system_error(errno, "signal");
        }
    }
}

int SignalWatch::wait() noexcept {
    for (;;) {
        std::array<pollfd, 2> fds{{{signal_fd_.get(), POLLIN, 0}, {wake_.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        signalfd_siginfo info{};
        if (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            return static_cast<int>(info.ssi_signo);
        }
        if (fds[1].revents != 0) {
            return 0;
        }
    }
}

}  // namespace oneline::cli
