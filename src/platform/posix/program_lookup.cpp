// Whether /bin/sh finds the first word of an --exec CMD: its own `command -v` tells, for programs
// on PATH, builtins and keywords alike.
#include "cli/program_lookup.hpp"

#include "cli/shell_process.hpp"

#include <oneline/errors.hpp>

namespace oneline::cli {

bool shell_may_find(const std::string& word) {
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_./+-") == std::string::npos;
    if (!plain) {
        return true;
    }
    try {
        ShellProcess lookup("command -v -- \"$1\" >/dev/null 2>&1", word, false);
        return lookup.wait().success;
    } catch (const Error&) {
        return true;  // cannot tell: let the first command show the problem
    }
}

}  // namespace oneline::cli
