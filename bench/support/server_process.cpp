#include "server_process.hpp"

#include "load/connection.hpp"
#include "load/raw_load.hpp"
#include "platform/posix/unique_fd.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
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

std::chrono::nanoseconds cpu_time(pid_t pid) {
    std::chrono::nanoseconds total{0};
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
        std::ifstream schedstat(task.path() / "schedstat");
        long long on_cpu_ns = 0;
        if (schedstat >> on_cpu_ns) {
            total += std::chrono::nanoseconds(on_cpu_ns);
        }  // else the thread has just ended: its time is lost, as it would be between two reads
    }
    if (error) {
        throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/task: " + error.message());
    }
    return total;
}

namespace {

/// The port in the child's first line, as `report` says it comes.
std::uint16_t port_in(const std::string& line, PortReport report) {
    const std::string prefix = report == PortReport::stdout_port_line ? "port " : "listening on ";
    const std::size_t digits = report == PortReport::stdout_port_line ? prefix.size() : line.rfind(':') + 1;
    if (line.rfind(prefix, 0) != 0 || digits == 0 || digits >= line.size() ||
        line.find_first_not_of("0123456789", digits) != std::string::npos) {
        throw std::runtime_error("the server process said '" + line + "' instead of its port");
    }
    return static_cast<std::uint16_t>(std::stoul(line.substr(digits)));
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                             PortReport report) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    net::UniqueFd read_end(pipe_fds[0]);
    net::UniqueFd write_end(pipe_fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(),
                                     report == PortReport::stdout_port_line ? STDOUT_FILENO : STDERR_FILENO);
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
        port_ = port_in(read_first_line(read_end.get(), timeout), report);
        drain_ = std::thread([output = std::move(read_end)] {
            char discarded[64 * 1024];
            while (::read(output.get(), discarded, sizeof discarded) > 0) {
            }
        });
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
    drain_.join();  // the child's end of the pipe closed with it
}

}  // namespace oneline::bench
