#include "server_process.hpp"

#include "load/connection.hpp"
#include "load/raw_load.hpp"
#include "platform/posix/unique_fd.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace oneline::bench {
namespace {

constexpr std::chrono::milliseconds kExitTimeout{5000};

int milliseconds(std::chrono::milliseconds duration) { return static_cast<int>(duration.count()); }

/// Reads the child's first line from `fd` within `timeout`.
std::string read_first_line(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string line;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd entry{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&entry, 1, milliseconds(left)) <= 0) {
            throw std::runtime_error("the server process did not report its port in time");
        }
        char c = 0;
        const ssize_t got = ::read(fd, &c, 1);
        if (got <= 0) {
            throw std::runtime_error("the server process exited before reporting its port");
        }
        if (c == '\n') {
            return line;
        }
        line.push_back(c);
    }
}

/// Waits up to `timeout` for the child to exit (pidfd, so no polling loop). True when it did.
bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const net::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd) {
        pollfd entry{pidfd.get(), POLLIN, 0};
        if (::poll(&entry, 1, milliseconds(timeout)) <= 0) {
            return false;
        }
    }
    int status = 0;
    return ::waitpid(pid, &status, pidfd ? 0 : WNOHANG) == pid;
}

}  // namespace

MemoryStatus read_memory(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    if (!status) {
        throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/status");
    }
    MemoryStatus memory;
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> memory.rss_kib;
        } else if (key == "VmHWM:") {
            status >> memory.peak_kib;
        }
        status.ignore(1 << 20, '\n');
    }
    return memory;
}

bool reset_peak(pid_t pid) {
    std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
    clear << "5\n";
    clear.flush();
    return static_cast<bool>(clear);
}

ServerProcess::ServerProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    const net::UniqueFd read_end(pipe_fds[0]);
    net::UniqueFd write_end(pipe_fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    if (rc != 0) {
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    try {
        const std::string line = read_first_line(read_end.get(), timeout);
        if (line.rfind("port ", 0) != 0) {
            throw std::runtime_error("the server process said '" + line + "' instead of its port");
        }
        port_ = static_cast<std::uint16_t>(std::stoul(line.substr(5)));
    } catch (...) {
        ::kill(pid_, SIGKILL);
        wait_for_exit(pid_, kExitTimeout);
        throw;
    }
}

ServerProcess::~ServerProcess() {
    try {
        Connection socket(resolve("127.0.0.1", port_), kIoTimeout);
        socket.send_all("shutdown\n", kIoTimeout);
    } catch (const std::exception&) {
        // Already gone, or not listening: the kill below covers it.
    }
    if (!wait_for_exit(pid_, kExitTimeout)) {
        ::kill(pid_, SIGKILL);
        wait_for_exit(pid_, kExitTimeout);
    }
}

}  // namespace oneline::bench
