#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
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

/// A server in a child process, so that its memory can be measured alone.
/// The child is `argv` (argv[0] a path to execute) and must print "port N"
/// as its first line on stdout once it accepts connections, and stop on a
/// `shutdown` command.
class ServerProcess {
public:
    /// Starts the child and waits up to `timeout` for its port. Throws std::runtime_error.
    ServerProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);
    /// Stops the child: `shutdown`, then SIGKILL if it has not exited within a few seconds.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    std::uint16_t port() const noexcept { return port_; }

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace oneline::bench
