#pragma once

#include "cli/line_editor.hpp"
#include "cli/options.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace oneline::cli {

/// What the interactive prompt of `oneline client` needs from its options.
struct PromptOptions {
    Endpoint endpoint;
    std::chrono::milliseconds timeout{5000};  ///< connecting, and the goodbye at the end
    std::size_t max_line = 0;                 ///< a longer typed line is refused, not sent
    bool verbose = false;
    std::chrono::milliseconds wait{0};  ///< how long connecting keeps trying while the server is not up
};

/// The history file of the prompt, from the environment: ONELINE_HISTORY
/// names the file (empty: none), else ~/.oneline_history when HOME is set;
/// ONELINE_HISTORY_SIZE caps it (default 1000 lines; 0 keeps none). Ends
/// `command` with exit 2 when ONELINE_HISTORY_SIZE is not a number in range.
HistoryFile history_from_environment(std::string_view command);

/// A response as the terminal shows it, with its line feed: control bytes
/// (0x00-0x1F but the tab, and 0x7F) in caret notation (^[, ^?), so that a
/// response cannot move the cursor or drive the terminal.
std::string printable_line(std::string_view response);

/// `oneline client` on a terminal: connects, then shows a prompt naming the
/// server and sends each line typed. Responses are shown as they arrive,
/// also while a line is typed; the server closing the connection ends the
/// prompt at once (exit 1). Ctrl-D on an empty line, `disconnect` and
/// `shutdown` end it as the client does at the end of its commands. Blocks
/// until then; ends `command` through fail() on the failures the client has.
void run_prompt(std::string_view command, const PromptOptions& options);

}  // namespace oneline::cli
