// The tool's arguments on POSIX systems: argv as it is (bytes, UTF-8 in any sensible locale).
#include "cli/command_line.hpp"

namespace oneline::cli {

std::vector<std::string> command_line_arguments(int argc, char** argv) {
    if (argc < 1) {
        return {};
    }
    return std::vector<std::string>(argv + 1, argv + argc);
}

}  // namespace oneline::cli
