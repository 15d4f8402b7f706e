// The tool's standard input on POSIX systems: read(2) on descriptor 0.
#include "cli/standard_input.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <unistd.h>

namespace oneline::cli {

std::ptrdiff_t read_standard_input(char* buffer, std::size_t size, std::error_code& error) noexcept {
    for (;;) {
        const ssize_t got = ::read(STDIN_FILENO, buffer, size);
        if (got >= 0) {
            return got;
        }
        if (errno != EINTR) {
            error.assign(errno, std::system_category());
            return -1;
        }
    }
}

InputReadiness wait_for_input(std::intptr_t socket, std::chrono::milliseconds timeout) noexcept {
    pollfd entries[2] = {{STDIN_FILENO, POLLIN, 0}, {static_cast<int>(socket), POLLIN, 0}};
    // Far beyond any wait the tool asks for, and within the int poll() takes.
    constexpr std::chrono::milliseconds::rep kLongest = 1'000'000'000;
    const int wait = timeout.count() < 0 ? -1 : static_cast<int>(std::min(timeout.count(), kLongest));
    InputReadiness ready;
    if (::poll(entries, socket < 0 ? 1 : 2, wait) <= 0) {
        return ready;  // timed out, or a signal: the caller looks at its clock and waits again
    }
    // An end of input, a hang-up or an error is "ready" too: the next read says which.
    ready.input = entries[0].revents != 0;
    ready.socket = socket >= 0 && entries[1].revents != 0;
    return ready;
}

}  // namespace oneline::cli
