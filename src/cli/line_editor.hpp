#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace oneline::cli {

/// Where the prompt keeps the lines typed in earlier sessions.
struct HistoryFile {
    std::string path;         ///< empty: no file (nothing read, nothing written)
    std::size_t entries = 0;  ///< the most lines kept, the oldest dropped first; 0: none
};

/// True when the tool's standard input and output are both terminals, so
/// that a person is typing and reading: then `oneline client` without
/// commands opens the prompt. Never throws.
bool standard_streams_are_terminals() noexcept;

/// The terminal's line editor for the interactive prompt: the line being
/// typed, its editing keys, the history (Up and Down), and text shown above
/// the line while it is typed. POSIX: libedit; Windows: the console's own
/// line input, without history. One thread only; one LineEditor at a time.
///
/// Ctrl-C clears the line being typed. SIGTERM, SIGHUP and SIGQUIT (POSIX)
/// end wait() with Event::stop_requested. The terminal is restored by the
/// destructor, whatever happened.
class LineEditor {
public:
    /// What ended a wait().
    enum class Event {
        idle,            ///< the timeout passed; nothing to do
        line,            ///< a line was entered (in `line`, without its line feed)
        end_of_input,    ///< Ctrl-D on an empty line, or the terminal went away
        stop_requested,  ///< a stop signal arrived; stop_source() names it
    };

    /// Shows `prompt` and starts reading the terminal; loads the history
    /// file when there is one (a missing or unreadable file is an empty
    /// history). Throws Error when the terminal cannot be set up.
    LineEditor(std::string prompt, HistoryFile history);
    /// Restores the terminal. Does not write the history (see save_history()).
    ~LineEditor();
    LineEditor(const LineEditor&) = delete;
    LineEditor& operator=(const LineEditor&) = delete;

    /// Handles the keys typed, waiting up to `timeout` for them, and returns
    /// as soon as a line is complete, the input ends or a stop is requested;
    /// Event::idle when the timeout passed first. Blocks at most `timeout`
    /// (plus the handling of the keys already typed).
    Event wait(std::chrono::milliseconds timeout, std::string& line);

    /// Prints `text` (complete lines, each ending in a line feed) above the
    /// prompt, on stdout or, with `to_stderr`, on stderr, and redraws the
    /// prompt with the line being typed, its cursor unmoved.
    void show(std::string_view text, bool to_stderr = false);

    /// Adds `line` to the history (not an empty one, not one equal to the last).
    void remember(const std::string& line);

    /// Ends editing: prints `echo` after the prompt (e.g. `disconnect` after
    /// Ctrl-D) or, when `echo` is empty, erases the prompt and the line
    /// being typed (unless a line was just entered), so that whatever is
    /// printed next starts on a clean line. Further calls do nothing.
    void finish(std::string_view echo);

    /// Writes the history file (at most HistoryFile::entries lines). Returns
    /// why it could not, or an empty string; never throws for it.
    std::string save_history();

    /// What asked to stop (e.g. "SIGTERM"), after Event::stop_requested.
    std::string_view stop_source() const noexcept;

private:
    struct State;  // the platform's editor
    std::unique_ptr<State> state_;
};

}  // namespace oneline::cli
