#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace oneline::bench {

/// Resident memory of a process, from /proc/PID/status, in KiB.
struct MemoryStatus {
    long rss_kib = 0;   ///< VmRSS: resident now
    long peak_kib = 0;  ///< VmHWM: the highest VmRSS so far (or since reset_peak)
};

/// Reads VmRSS and VmHWM of `pid`. Throws std::runtime_error when unreadable.
MemoryStatus read_memory(pid_t pid);

/// Resets VmHWM of `pid` to its current VmRSS (writes 5 to /proc/PID/clear_refs).
/// False when the kernel does not allow it; VmHWM then still holds earlier peaks.
bool reset_peak(pid_t pid);

/// The CPU time `pid` has run so far, all its threads (/proc/PID/task/*/schedstat, the kernel's
/// nanoseconds on a CPU). Throws std::runtime_error when unreadable.
std::chrono::nanoseconds cpu_time(pid_t pid);

/// How a server process tells its port.
enum class PortReport {
    stdout_port_line,     ///< "port N" as its first line on stdout (the bench's own --serve)
    stderr_listening_on,  ///< "listening on 127.0.0.1:N" as its first line on stderr (`oneline server`)
};

/// A server in a child process, so that its memory and CPU time can be measured alone.
/// The child is `argv` (argv[0] a path to execute) and must report its port (see PortReport)
/// once it accepts connections, and stop on a `shutdown` command. What it writes after its
/// port line on that stream (a `-v` log) is read and discarded, so it never blocks the child.
class ServerProcess {
public:
    /// Starts the child and waits up to `timeout` for its port. Throws std::runtime_error.
    ServerProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                  PortReport report = PortReport::stdout_port_line);
    /// Stops the child: `shutdown`, then SIGKILL if it has not exited within a few seconds.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    std::uint16_t port() const noexcept { return port_; }

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::thread drain_;  // reads the child's reporting stream to its end (owns the pipe)
};

}  // namespace oneline::bench
