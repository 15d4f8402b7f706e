#include "process_probe.hpp"

#include <ctime>
#include <dirent.h>
#include <fstream>
#include <string>

namespace oneline::stress {

std::chrono::microseconds process_cpu_time() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::microseconds(now.tv_nsec / 1000);
}

Memory process_memory() {
    Memory memory;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        // Lines read "VmRSS:\t    1234 kB".
        if (line.rfind("VmRSS:", 0) == 0) {
            memory.resident_kib = std::stoul(line.substr(6));
        } else if (line.rfind("VmHWM:", 0) == 0) {
            memory.peak_kib = std::stoul(line.substr(6));
        }
    }
    return memory;
}

std::size_t open_descriptor_count() {
    DIR* directory = ::opendir("/proc/self/fd");
    if (directory == nullptr) {
        return 0;
    }
    std::size_t count = 0;
    while (const dirent* entry = ::readdir(directory)) {
        if (entry->d_name[0] != '.') {
            ++count;
        }
    }
    ::closedir(directory);
    return count;  // includes the directory's own descriptor, the same every time
}

}  // namespace oneline::stress
