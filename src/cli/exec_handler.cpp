#include "cli/exec_handler.hpp"

#include "net/deadline.hpp"
#include "net/unique_fd.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>  // environ (a GNU extension)
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kInvalidVariable = "ONELINE_INVALID=";
constexpr std::size_t kReadChunk = 64 * 1024;

void report(std::string_view message) { std::cerr << "oneline server: --exec: " << message << std::endl; }

// The tool's environment, with ONELINE_INVALID set only when the command was flagged.
std::vector<std::string> child_environment(bool is_invalid) {
    std::vector<std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (std::string_view(*entry).substr(0, kInvalidVariable.size()) != kInvalidVariable) {
            variables.emplace_back(*entry);
        }
    }
    if (is_invalid) {
        variables.emplace_back(std::string(kInvalidVariable) + "1");
    }
    return variables;
}

std::vector<char*> pointers_to(std::vector<std::string>& texts) {
    std::vector<char*> pointers;
    pointers.reserve(texts.size() + 1);
    for (auto& text : texts) {
        pointers.push_back(text.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

/// A running /bin/sh: its process id and a pidfd that turns readable when it exits.
struct Child {
    pid_t pid = -1;
    net::UniqueFd exited;
};

// Starts `/bin/sh -c shell_text sh argument` in its own process group with
// default signal handling (the tool blocks SIGINT/SIGTERM in every thread),
// stdin from /dev/null and stdout on `stdout_fd`. Returns the errno on failure.
std::optional<Child> spawn_shell(const std::string& shell_text, std::string argument, bool is_invalid, int stdout_fd,
                                 int& error) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setpgroup(&attributes, 0);  // its own group: a kill reaches its children too
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    std::vector<std::string> arguments{"sh", "-c", shell_text, "sh", std::move(argument)};
    std::vector<std::string> environment = child_environment(is_invalid);
    std::vector<char*> argv = pointers_to(arguments);
    std::vector<char*> envp = pointers_to(environment);

    Child child;
    error = posix_spawn(&child.pid, "/bin/sh", &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        return std::nullopt;
    }
    // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrapper does not link from C++.
    child.exited.reset(static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0)));
    return child;
}

int wait_for_exit(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

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

    int error = 0;
    std::optional<Child> child = spawn_shell(shell_text_, std::string(command), is_invalid, child_output.get(), error);
    child_output.reset();  // the child holds the only write end now, so its exit ends the output
    if (!child) {
        report("cannot start /bin/sh for " + shown + ": " + std::strerror(error));
        return;
    }

    LineSplitter lines(respond);
    std::string buffer(kReadChunk, '\0');
    const net::Deadline deadline = net::deadline_after(timeout_);
    bool output_open = true;
    bool exited = false;
    std::string kill_reason;
    while (kill_reason.empty()) {
        std::array<pollfd, 3> fds{{{output_open ? output.get() : -1, POLLIN, 0},
                                   {child->exited.get(), POLLIN, 0},
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
        exited = exited || fds[1].revents != 0 || (!output_open && !child->exited);
        if (exited) {
            // Background children may hold the pipe open: take what is there and stop reading.
            if (output_open && read_available(output.get(), buffer, lines) == ReadState::ended) {
                output_open = false;
            }
            break;
        }
    }
    if (!kill_reason.empty()) {
        ::kill(-child->pid, SIGKILL);
    }
    const int status = wait_for_exit(child->pid);
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
    int error = 0;
    std::optional<Child> child =
        spawn_shell("command -v -- \"$1\" >/dev/null 2>&1", word, false, null_output.get(), error);
    if (!child) {
        return true;  // cannot tell: let the first command show the problem
    }
    const int status = wait_for_exit(child->pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace oneline::cli
