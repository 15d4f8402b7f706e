#pragma once

#include <string>
#include <vector>

namespace oneline::cli {

/// The tool's arguments, without the program name, in UTF-8: `argv` as it
/// is on POSIX; on Windows the UTF-16 command line converted, since `argv`
/// there is in the ANSI code page and would mangle other characters.
std::vector<std::string> command_line_arguments(int argc, char** argv);

}  // namespace oneline::cli
