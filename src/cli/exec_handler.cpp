#include "cli/exec_handler.hpp"

#include "cli/shell_process.hpp"
#include "net/deadline.hpp"
#include "net/unique_fd.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <optional>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace oneline::cli {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

void report(std::string_view message) { std::cerr << "oneline server: --exec: " << message << std::endl; }

std::string status_text(int status) {
    if (WIFSIGNALED(status)) {
        return std::string("was killed by signal ") + std::to_string(WTERMSIG(status));
    }
    const int code = WEXITSTATUS(status);
    std::string text = "exited with status " + std::to_string(code);
    if (code == 127) {
        text += " (command not found)";
    } else if (code == 126) {
        text += " (not executable)";
    }
    return text;
}

/// Splits the program's output into lines and hands each one on.
class LineSplitter {
public:
    explicit LineSplitter(const ExecHandler::Respond& respond) : respond_(respond) {}

    void feed(std::string_view bytes) {
        total_ += bytes.size();
        for (std::size_t end = bytes.find('\n'); end != std::string_view::npos; end = bytes.find('\n')) {
            partial_.append(bytes.substr(0, end));
            respond_(partial_);
            partial_.clear();
            bytes.remove_prefix(end + 1);
        }
        partial_.append(bytes);
    }

    void finish() {
        if (!partial_.empty()) {
            respond_(partial_);
            partial_.clear();
        }
    }

    std::size_t total() const noexcept { return total_; }

private:
    const ExecHandler::Respond& respond_;
    std::string partial_;
    std::size_t total_ = 0;
};

enum class ReadState { open, ended };

// Reads what the pipe holds now; says whether it has ended.
ReadState read_available(int fd, std::string& buffer, LineSplitter& lines) {
    for (;;) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got > 0) {
            lines.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
            if (lines.total() > ExecHandler::output_limit) {
                return ReadState::ended;
            }
            continue;
        }
        if (got < 0 && errno == EINTR) {
            continue;
        }
        return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? ReadState::open : ReadState::ended;
    }
}

}  // namespace

ExecHandler::ExecHandler(std::string shell_text, std::chrono::milliseconds timeout)
    : shell_text_(std::move(shell_text)), timeout_(timeout) {}

void ExecHandler::run(std::string_view command, bool is_invalid, const Respond& respond) {
    const std::string shown = "'" + std::string(command) + "'";
    std::array<int, 2> pipe_ends{};
    if (::pipe2(pipe_ends.data(), O_CLOEXEC) != 0) {
        report(std::string("cannot create a pipe for ") + shown + ": " + std::strerror(errno));
        return;
    }
    net::UniqueFd output(pipe_ends[0]);
    net::UniqueFd child_output(pipe_ends[1]);
    ::fcntl(output.get(), F_SETFL, O_NONBLOCK);

    std::optional<ShellProcess> shell;
    try {
        shell.emplace(shell_text_, std::string(command), is_invalid, child_output.get());
    } catch (const Error& error) {
        report("cannot start /bin/sh for " + shown + ": " + error.code().message());
        return;
    }
    child_output.reset();  // the shell holds the only write end now, so its exit ends the output

    LineSplitter lines(respond);
    std::string buffer(kReadChunk, '\0');
    const net::Deadline deadline = net::deadline_after(timeout_);
    bool output_open = true;
    bool exited = false;
    std::string kill_reason;
    while (kill_reason.empty()) {
        std::array<pollfd, 3> fds{{{output_open ? output.get() : -1, POLLIN, 0},
                                   {shell->exit_fd(), POLLIN, 0},
                                   {cancelled_.fd(), POLLIN, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), net::poll_timeout(deadline));
        if (ready < 0 && errno != EINTR) {
            kill_reason = std::string("poll failed: ") + std::strerror(errno);
        } else if (fds[2].revents != 0) {
            kill_reason = "the server is stopping";
        } else if (ready == 0) {
            kill_reason = "it took longer than " + std::to_string(timeout_.count()) + " ms";
        }
        if (fds[0].revents != 0 && read_available(output.get(), buffer, lines) == ReadState::ended) {
            output_open = false;
            if (lines.total() > output_limit) {
                kill_reason = "it printed more than " + std::to_string(output_limit) + " bytes";
            }
        }
        // Without a pidfd (an old kernel) the end of the output stands for the exit.
        exited = exited || fds[1].revents != 0 || (!output_open && shell->exit_fd() < 0);
        if (exited) {
            // Background children may hold the pipe open: take what is there, the wait below kills them.
            if (output_open && read_available(output.get(), buffer, lines) == ReadState::ended) {
                output_open = false;
            }
            break;
        }
    }
    if (!kill_reason.empty()) {
        shell->kill_group();
    }
    const int status = shell->wait();
    lines.finish();
    if (!kill_reason.empty()) {
        report("killed the program for " + shown + ": " + kill_reason);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        report("the program for " + shown + " " + status_text(status));
    }
}

std::string first_word(const std::string& shell_text) {
    const std::size_t begin = shell_text.find_first_not_of(" \t\n");
    if (begin == std::string::npos) {
        return {};
    }
    return shell_text.substr(begin, shell_text.find_first_of(" \t\n;&|<>()", begin) - begin);
}

bool first_word_runs(const std::string& shell_text) {
    const std::string word = first_word(shell_text);
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_./+-") == std::string::npos;
    if (!plain) {
        return true;
    }
    net::UniqueFd null_output(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    int status = 0;
    try {
        status = ShellProcess("command -v -- \"$1\" >/dev/null 2>&1", word, false, null_output.get()).wait();
    } catch (const Error&) {
        return true;  // cannot tell: let the first command show the problem
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace oneline::cli
