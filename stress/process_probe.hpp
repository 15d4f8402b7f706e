#pragma once

#include <chrono>
#include <cstddef>

namespace oneline::stress {

/// CPU time used so far by every thread of this process.
std::chrono::microseconds process_cpu_time();

/// This process's memory, in KiB, from /proc/self/status.
struct Memory {
    std::size_t resident_kib = 0;  ///< VmRSS: resident now
    std::size_t peak_kib = 0;      ///< VmHWM: the highest VmRSS so far
};

/// Reads VmRSS and VmHWM of this process.
Memory process_memory();

/// How many file descriptors this process has open (entries of /proc/self/fd).
std::size_t open_descriptor_count();

}  // namespace oneline::stress
