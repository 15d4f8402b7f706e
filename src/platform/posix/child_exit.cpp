// A child's exit with plain POSIX: a SIGCHLD handler writes to a self-pipe, and waitid(WNOHANG)
// tells whether it was our child that exited.
#include "platform/posix/child_exit.hpp"

#include "platform/posix/pipe.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <atomic>
#include <csignal>
#include <system_error>
#include <unistd.h>

namespace oneline::platform::posix {
namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the SIGCHLD handler reads it");
std::atomic<int> sigchld_write_end{-1};  // the write end, for the handler: no other way to reach it

void on_child_exit(int) {
    const int saved = errno;
    const int fd = sigchld_write_end.load();
    if (fd >= 0) {
        const char one = 1;  // a full pipe is readable already: nothing more is needed
        [[maybe_unused]] const auto written = ::write(fd, &one, 1);
    }
    errno = saved;
}

/// The SIGCHLD self-pipe of the process, made on first use and kept until the process exits.
class ChildExitPipe {
public:
    ChildExitPipe() : pipe_(open_private_pipe()) {
        if (!make_nonblocking(pipe_.read_end.get()) || !make_nonblocking(pipe_.write_end.get())) {
            throw Error(std::error_code(errno, std::system_category()), "fcntl");
        }
        sigchld_write_end.store(pipe_.write_end.get());
        struct sigaction action {};
        action.sa_handler = on_child_exit;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
        if (::sigaction(SIGCHLD, &action, nullptr) != 0) {
            sigchld_write_end.store(-1);
            throw Error(std::error_code(errno, std::system_category()), "sigaction SIGCHLD");
        }
    }
    ~ChildExitPipe() {
        ::signal(SIGCHLD, SIG_DFL);
        sigchld_write_end.store(-1);
    }
    ChildExitPipe(const ChildExitPipe&) = delete;
    ChildExitPipe& operator=(const ChildExitPipe&) = delete;

    int fd() const noexcept { return pipe_.read_end.get(); }

    void drain() const noexcept {
        std::array<char, 64> drained{};
        while (::read(pipe_.read_end.get(), drained.data(), drained.size()) > 0) {
        }
    }

private:
    PipeEnds pipe_;
};

const ChildExitPipe& child_exit_pipe_of_process() {
    static const ChildExitPipe instance;  // a failed attempt throws and is tried again next time
    return instance;
}

}  // namespace

ChildExit::ChildExit() : fd_(child_exit_pipe_of_process().fd()) {}

void ChildExit::watch(pid_t pid) noexcept { pid_ = pid; }

bool ChildExit::exited() const noexcept {
    // Drained before asking: an exit after the question writes to the pipe again.
    child_exit_pipe_of_process().drain();
    return has_exited(pid_);
}

}  // namespace oneline::platform::posix
