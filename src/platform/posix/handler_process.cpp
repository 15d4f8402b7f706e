// A --handler program on POSIX systems: /bin/sh started once in a process group of its own (see
// shell_spawn.hpp), its stdin and stdout non-blocking pipes, its exit noticed through ChildExit (a
// pidfd on Linux, SIGCHLD elsewhere) without reaping it until its group has been killed. Shared by
// the Linux and the portable POSIX builds.
#include "handler/handler_process.hpp"

#include "platform/posix/child_exit.hpp"
#include "platform/posix/pipe.hpp"
#include "platform/posix/shell_spawn.hpp"

#include <oneline/errors.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX leaves declaring it to the program

namespace oneline::handler {
namespace {

using platform::posix::ChildExit;

// How often stop() looks for the end of a program whose exit nothing signals (a Linux kernel without
// pidfd, once its output has ended).
constexpr std::chrono::milliseconds kExitPollInterval{10};

/// write() with SIGPIPE blocked in this thread, and a SIGPIPE it raised taken back: a handler that
/// died must not kill its owner, and no process-wide signal setting is changed for it.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) noexcept {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    const ssize_t written = ::write(fd, data, size);
    const int saved = errno;
    if (written < 0 && saved == EPIPE && sigismember(&previous, SIGPIPE) == 0) {
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            int taken = 0;
            sigwait(&pipe_only, &taken);
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    errno = saved;
    return written;
}

}  // namespace

struct HandlerProcess::State {
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    // Also when the constructor fails after the spawn: nothing is left behind.
    ~State() {
        if (pid > 0) {
            platform::posix::kill_group(pid);
            platform::posix::reap(pid);
        }
    }

    pid_t pid = -1;  // also the group's id; stays reserved until reaped, so a kill never hits a stranger
    ChildExit exit;
    net::UniqueFd input;   // the write end of its stdin, non-blocking; closed when it reads no more
    net::UniqueFd output;  // the read end of its stdout, non-blocking
    bool output_open = true;
    bool exited = false;
    bool stopped = false;
    Exit ending;  // set by stop()

    /// Notes the exit when the exit descriptor says so.
    void look_for_exit() noexcept {
        if (!exited && exit.fd() >= 0) {
            exited = exit.exited();
        } else if (!exited && !output_open) {
            exited = platform::posix::has_exited(pid);
        }
    }
};

HandlerProcess::HandlerProcess(const std::string& shell_text) : state_(std::make_unique<State>()) {
    platform::posix::PipeEnds to_child = platform::posix::open_private_pipe();
    platform::posix::PipeEnds from_child = platform::posix::open_private_pipe();
    if (!platform::posix::make_nonblocking(to_child.write_end.get()) ||
        !platform::posix::make_nonblocking(from_child.read_end.get())) {
        throw Error(std::error_code(errno, std::system_category()), "fcntl");
    }
    std::vector<std::string> arguments{"sh", "-c", shell_text};
    std::vector<char*> argv;
    argv.reserve(arguments.size() + 1);
    for (std::string& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    state_->pid =
        platform::posix::spawn_shell(argv.data(), environ, to_child.read_end.get(), from_child.write_end.get());
    state_->exit.watch(state_->pid);
    state_->input = std::move(to_child.write_end);
    state_->output = std::move(from_child.read_end);
    // The child's ends close here: it holds the only ones now, so its end ends the output.
}

HandlerProcess::~HandlerProcess() {
    if (state_ && !state_->stopped) {
        stop(default_grace);
    }
}

HandlerProcess::Progress HandlerProcess::exchange(std::string& input, char* buffer, std::size_t size,
                                                  net::Deadline deadline) noexcept {
    using Kind = Progress::Kind;
    State& state = *state_;
    for (;;) {
        if (!input.empty() && !state.input) {
            input.clear();  // it reads no more: what it was owed cannot reach it
        }
        if (!input.empty()) {
            const ssize_t written = write_without_sigpipe(state.input.get(), input.data(), input.size());
            if (written > 0) {
                input.erase(0, static_cast<std::size_t>(written));
            } else if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                state.input.reset();  // EPIPE: it closed its stdin or ended
                input.clear();
            }
        }
        if (state.output_open) {
            const ssize_t got = ::read(state.output.get(), buffer, size);
            if (got > 0) {
                return {Kind::output, static_cast<std::size_t>(got), {}};
            }
            if (got < 0 && errno == EINTR) {
                continue;
            }
            state.output_open = got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        }
        if (!state.output_open || state.exited) {
            return {Kind::ended, 0, {}};  // what its background children print later does not hold it up
        }
        if (net::expired(deadline, net::Clock::now())) {
            return {Kind::timed_out, 0, {}};
        }
        const short want_room = input.empty() ? 0 : POLLOUT;
        std::array<pollfd, 3> fds{{{state.output.get(), POLLIN, 0},
                                   {state.exit.fd(), POLLIN, 0},
                                   {want_room != 0 ? state.input.get() : -1, want_room, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), net::poll_timeout(deadline));
        if (ready < 0 && errno != EINTR) {
            return {Kind::failed, 0, std::error_code(errno, std::system_category())};
        }
        if (ready > 0 && fds[1].revents != 0) {
            state.look_for_exit();
        }
    }
}

void HandlerProcess::kill() noexcept { platform::posix::kill_group(state_->pid); }

HandlerProcess::Exit HandlerProcess::stop(std::chrono::milliseconds grace) {
    State& state = *state_;
    if (state.stopped) {
        return state.ending;
    }
    state.stopped = true;
    state.input.reset();  // the end of its stdin: the sign to finish
    const net::Deadline deadline = net::deadline_after(grace);
    std::array<char, 4096> dropped{};
    while (!state.exited && !net::expired(deadline, net::Clock::now())) {
        while (state.output_open) {  // what it prints while it finishes goes nowhere, but must not block it
            const ssize_t got = ::read(state.output.get(), dropped.data(), dropped.size());
            if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
                state.output_open = false;
            } else if (got < 0 && errno != EINTR) {
                break;
            }
        }
        state.look_for_exit();
        if (state.exited) {
            break;
        }
        const bool exit_signalled = state.exit.fd() >= 0;
        int timeout = net::poll_timeout(deadline);
        if (!exit_signalled) {
            const int interval = static_cast<int>(kExitPollInterval.count());
            timeout = timeout < 0 ? interval : std::min(timeout, interval);
        }
        std::array<pollfd, 2> fds{
            {{state.output_open ? state.output.get() : -1, POLLIN, 0}, {state.exit.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            break;  // waiting failed: the kill below ends it anyway
        }
    }
    platform::posix::kill_group(state.pid);  // it did not end in time, or left processes behind
    const platform::posix::ExitStatus status =
        platform::posix::describe_status(platform::posix::reap(std::exchange(state.pid, -1)));
    state.ending = {status.success, status.description};
    state.output.reset();
    return state.ending;
}

std::string_view HandlerProcess::invocation() noexcept { return "`/bin/sh -c CMD`"; }

}  // namespace oneline::handler
