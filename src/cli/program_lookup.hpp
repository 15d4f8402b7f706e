#pragma once

#include <string>

namespace oneline::cli {

/// False when `word`, the first word of an `--exec` CMD, is a plain program
/// name or path that the shell of ShellProcess certainly cannot run, so that
/// a typo fails at startup rather than at every command. True when it can,
/// and whenever only the shell can tell at run time (quotes, expansions,
/// assignments, names the check does not cover on this platform).
///
/// POSIX: asks /bin/sh (`command -v`: programs, builtins, keywords).
/// Windows: cmd.exe's builtins, then SearchPathW over the current directory
/// and PATH with each PATHEXT extension, as cmd.exe looks a name up.
bool shell_may_find(const std::string& word);

}  // namespace oneline::cli
