// `/bin/sh` started with posix_spawn in a process group of its own, shared by the tool's --exec
// runs and its --handler; how its end is waited for and described.
#include "platform/posix/shell_spawn.hpp"

#include "platform/posix/tool_signals.hpp"

#include <oneline/errors.hpp>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

namespace oneline::platform::posix {
namespace {

// Every signal the tool handles or ignores for itself (see SignalWatch): the shell must not inherit that.
sigset_t signals_to_reset() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal : kStopSignals) {
        sigaddset(&signals, signal);
    }
    for (const int signal : kIgnoredSignals) {
        sigaddset(&signals, signal);
    }
    return signals;
}

}  // namespace

pid_t spawn_shell(char* const* argv, char* const* envp, int stdin_fd, int stdout_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdin_fd < 0) {
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    } else {
        posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
    }
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

    pid_t pid = -1;
    const int error = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        throw Error(std::error_code(error, std::system_category()), "posix_spawn /bin/sh");
    }
    return pid;
}

void kill_group(pid_t pid) noexcept {
    if (pid > 0) {
        ::kill(-pid, SIGKILL);
    }
}

int reap(pid_t pid) noexcept {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

void wait_unreaped(pid_t pid) noexcept {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
}

ExitStatus describe_status(int status) {
    if (WIFSIGNALED(status)) {
        return {false, "was killed by signal " + std::to_string(WTERMSIG(status))};
    }
    const int code = WEXITSTATUS(status);
    std::string text = "exited with status " + std::to_string(code);
    if (code == 127) {
        text += " (command not found)";
    } else if (code == 126) {
        text += " (not executable)";
    }
    return {code == 0, text};
}

}  // namespace oneline::platform::posix
