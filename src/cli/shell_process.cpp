#include "cli/shell_process.hpp"

#include <oneline/errors.hpp>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <string_view>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>  // environ (a GNU extension)
#include <utility>
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kInvalidVariable = "ONELINE_INVALID=";

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

// Every signal the tool blocks or ignores for itself (see SignalWatch): the shell must not inherit that.
sigset_t signals_to_reset() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2}) {
        sigaddset(&signals, signal);
    }
    return signals;
}

int reap(pid_t pid) noexcept {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

ShellProcess::ShellProcess(const std::string& shell_text, const std::string& argument, bool is_invalid, int stdout_fd) {
    // Everything that allocates comes first, so that nothing throws between the init and destroy calls.
    std::vector<std::string> arguments{"sh", "-c", shell_text, "sh", argument};
    std::vector<std::string> environment = child_environment(is_invalid);
    std::vector<char*> argv = pointers_to(arguments);
    std::vector<char*> envp = pointers_to(environment);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    const sigset_t defaults = signals_to_reset();
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setpgroup(&attributes, 0);  // its own group: a kill reaches its children too
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    const int error = posix_spawn(&pid_, "/bin/sh", &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        pid_ = -1;
        throw Error(std::error_code(error, std::system_category()), "posix_spawn /bin/sh");
    }
    // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrapper does not link from C++.
    exit_fd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
}

void ShellProcess::kill_group() const noexcept {
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
    }
}

int ShellProcess::wait() noexcept {
    if (pid_ <= 0) {
        return 0;
    }
    // Waits without reaping: until the shell is reaped its pid, and so its group's id, cannot be reused.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    kill_group();  // what the shell left running in the background
    return reap(std::exchange(pid_, -1));
}

void ShellProcess::end() noexcept {
    if (pid_ > 0) {
        kill_group();
        reap(std::exchange(pid_, -1));
    }
}

}  // namespace oneline::cli
