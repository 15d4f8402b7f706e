// An --exec program on POSIX systems: /bin/sh started in a process group of its own (see
// shell_spawn.hpp), its output read from a pipe, its exit noticed through ChildExit (a pidfd on Linux, SIGCHLD
// elsewhere) without reaping it until its group has been killed. Shared by the Linux and the
// portable POSIX builds.
#include "cli/shell_process.hpp"

#include "platform/posix/child_exit.hpp"
#include "platform/posix/pipe.hpp"
#include "platform/posix/shell_spawn.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <poll.h>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX leaves declaring it to the program

namespace oneline::cli {
namespace {

using platform::posix::ChildExit;
using platform::posix::kill_group;
using platform::posix::reap;

constexpr std::string_view kInvalidVariable = "ONELINE_INVALID=";
constexpr std::string_view kCommandVariable = "ONELINE_COMMAND=";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The tool's environment with the command in ONELINE_COMMAND, and ONELINE_INVALID set only when
// the command was flagged: the tool's own values of both never reach the program.
std::vector<std::string> child_environment(const std::string& command, bool is_invalid) {
    std::vector<std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (!starts_with(*entry, kInvalidVariable) && !starts_with(*entry, kCommandVariable)) {
            variables.emplace_back(*entry);
        }
    }
    variables.push_back(std::string(kCommandVariable) + command);
    if (is_invalid) {
        variables.push_back(std::string(kInvalidVariable) + "1");
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

}  // namespace

struct ShellProcess::State {
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    // Also when the constructor of ShellProcess fails after the spawn: nothing is left behind.
    ~State() {
        if (pid > 0) {
            kill_group(pid);
            reap(pid);
        }
    }

    pid_t pid = -1;  // also the group's id; stays reserved until reaped, so a kill never hits a stranger
    ChildExit exit;
    net::UniqueFd output;  // the read end of the shell's stdout, non-blocking
    bool output_open = true;
    bool exited = false;
};

ShellProcess::ShellProcess(const std::string& shell_text, const std::string& command, bool is_invalid)
    : state_(std::make_unique<State>()) {
    platform::posix::PipeEnds pipe = platform::posix::open_private_pipe();
    if (!platform::posix::make_nonblocking(pipe.read_end.get())) {
        throw Error(std::error_code(errno, std::system_category()), "fcntl");
    }
    std::vector<std::string> arguments{"sh", "-c", shell_text, "sh", command};
    std::vector<std::string> environment = child_environment(command, is_invalid);
    std::vector<char*> argv = pointers_to(arguments);
    std::vector<char*> envp = pointers_to(environment);
    state_->pid = platform::posix::spawn_shell(argv.data(), envp.data(), -1, pipe.write_end.get());
    state_->exit.watch(state_->pid);
    state_->output = std::move(pipe.read_end);
    // The write end closes here: the shell holds the only one now, so its exit ends the output.
}

ShellProcess::~ShellProcess() = default;

ShellProcess::Progress ShellProcess::read_output(char* buffer, std::size_t size, net::Deadline deadline) noexcept {
    using Kind = Progress::Kind;
    State& state = *state_;
    for (;;) {
        if (!state.exited && net::expired(deadline, net::Clock::now())) {
            return {Kind::timed_out, 0, {}};
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
        // Without an exit descriptor (a Linux kernel without pidfd) the end of the output stands for the exit.
        if (state.exited || (!state.output_open && state.exit.fd() < 0)) {
            state.exited = true;  // what its background children print later does not hold it up
            return {Kind::exited, 0, {}};
        }
        std::array<pollfd, 2> fds{
            {{state.output_open ? state.output.get() : -1, POLLIN, 0}, {state.exit.fd(), POLLIN, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), net::poll_timeout(deadline));
        if (ready < 0 && errno != EINTR) {
            return {Kind::failed, 0, std::error_code(errno, std::system_category())};
        }
        if (ready > 0 && fds[1].revents != 0) {
            state.exited = state.exit.exited();
        }
    }
}

void ShellProcess::kill() noexcept { kill_group(state_->pid); }

ShellProcess::Exit ShellProcess::wait() {
    State& state = *state_;
    if (state.pid <= 0) {
        return {};
    }
    // Waits without reaping: until the shell is reaped its pid, and so its group's id, cannot be reused.
    platform::posix::wait_unreaped(state.pid);
    kill_group(state.pid);  // what the shell left running in the background
    const platform::posix::ExitStatus status = platform::posix::describe_status(reap(std::exchange(state.pid, -1)));
    return {status.success, status.description};
}

bool ShellProcess::lines_end_in_crlf() noexcept { return false; }

std::string_view ShellProcess::invocation() noexcept {
    return "`/bin/sh -c CMD sh COMMAND` (COMMAND also in ONELINE_COMMAND)";
}

}  // namespace oneline::cli
