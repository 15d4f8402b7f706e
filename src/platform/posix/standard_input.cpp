// The tool's standard input on POSIX systems: read(2) on descriptor 0.
#include "cli/standard_input.hpp"

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

}  // namespace oneline::cli
