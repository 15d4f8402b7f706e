// The interactive prompt's line editor on POSIX systems: libedit, driven one key at a time
// (EL_UNBUFFERED) so that the caller can wait on the terminal with poll() and print responses
// between keys. libedit's own interface is used rather than its readline emulation, whose callback
// mode leaves the terminal in cooked mode between lines (keys typed then are echoed raw) and draws
// the prompt twice.
#include "cli/line_editor.hpp"

#include "platform/posix/tool_signals.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <cerrno>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cwchar>
#include <histedit.h>
#include <poll.h>
#include <string>
#include <system_error>
#include <unistd.h>

namespace oneline::cli {
namespace {

// What the signal handler saw; read and cleared by the one thread that edits.
volatile std::sig_atomic_t interrupt_count = 0;
volatile std::sig_atomic_t stop_signal = 0;
volatile std::sig_atomic_t resized = 0;
volatile std::sig_atomic_t continued = 0;

void note_signal(int signal) {
    switch (signal) {
        case SIGINT: interrupt_count = 1; break;
        case SIGWINCH: resized = 1; break;
        case SIGCONT: continued = 1; break;
        default: stop_signal = signal; break;
    }
}

constexpr std::array<int, 6> kHandledSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT};

// Keys already typed are handled in one wait(), up to this many (a paste), before the caller
// gets its turn to show responses.
constexpr int kMaxKeysPerWait = 4096;

// Columns a wide character takes on the terminal; libedit shows a control character as ^X.
int columns_of(wchar_t character) {
    const int width = ::wcwidth(character);
    return width < 0 ? 2 : width;
}

int columns_of(const wchar_t* begin, const wchar_t* end) {
    int columns = 0;
    for (const wchar_t* at = begin; at < end; ++at) {
        columns += columns_of(*at);
    }
    return columns;
}

}  // namespace

bool standard_streams_are_terminals() noexcept { return ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1; }

struct LineEditor::State {
    std::string prompt;
    HistoryFile history_file;
    EditLine* editor = nullptr;
    History* history = nullptr;
    std::array<struct sigaction, kHandledSignals.size()> saved_actions{};
    std::array<bool, kHandledSignals.size()> installed{};
    bool line_entered = false;  // a line was returned: the next wait() starts a fresh one
    bool finished = false;
    std::string_view stop_source;

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    ~State() {
        if (editor != nullptr) {
            ::el_set(editor, EL_UNBUFFERED, 0);  // the terminal back in its own mode
            ::el_end(editor);
        }
        if (history != nullptr) {
            ::history_end(history);
        }
        std::fflush(stdout);
        for (std::size_t i = 0; i < kHandledSignals.size(); ++i) {
            if (installed[i]) {
                ::sigaction(kHandledSignals[i], &saved_actions[i], nullptr);
            }
        }
    }

    static char* prompt_of(EditLine* editor) {
        void* data = nullptr;
        ::el_get(editor, EL_CLIENTDATA, &data);
        return static_cast<State*>(data)->prompt.data();
    }

    void install_signal_handlers() {
        interrupt_count = 0;
        stop_signal = 0;
        resized = 0;
        continued = 0;
        for (std::size_t i = 0; i < kHandledSignals.size(); ++i) {
            const int signal = kHandledSignals[i];
            if (!platform::posix::watched(signal)) {
                continue;  // a SIGHUP ignored by `nohup` stays ignored
            }
            struct sigaction action {};
            action.sa_handler = note_signal;
            sigemptyset(&action.sa_mask);
            if (::sigaction(signal, &action, &saved_actions[i]) != 0) {
                throw Error(std::error_code(errno, std::system_category()), "sigaction");
            }
            installed[i] = true;
        }
    }

    // The terminal's width in columns (at least 1).
    int columns() const {
        int columns = 0;
        if (::el_get(editor, EL_GETTC, "co", &columns, nullptr) != 0 || columns < 1) {
            return 80;
        }
        return columns;
    }

    // Rows from the prompt's first row to the cursor, and to the end of the line being typed.
    std::pair<int, int> rows_to_cursor_and_end() const {
        const LineInfoW* line = ::el_wline(editor);
        const int prompt_columns = static_cast<int>(prompt.size());
        const int width = columns();
        const int to_cursor = prompt_columns + columns_of(line->buffer, line->cursor);
        const int to_end = prompt_columns + columns_of(line->buffer, line->lastchar);
        return {to_cursor / width, to_end / width};
    }

    // Moves the cursor to the prompt's first column and clears from there to the screen's end.
    void erase_prompt() const {
        const int rows_up = rows_to_cursor_and_end().first;
        if (rows_up > 0) {
            std::fprintf(stdout, "\r\033[%dA\033[J", rows_up);
        } else {
            std::fputs("\r\033[J", stdout);
        }
    }

    // Leaves the line typed so far on the screen and puts the cursor on the row below it.
    void move_below_line() const {
        const auto [cursor_row, end_row] = rows_to_cursor_and_end();
        if (end_row > cursor_row) {
            std::fprintf(stdout, "\033[%dB", end_row - cursor_row);
        }
        std::fputs("\r\n", stdout);
    }

    void redraw() const { ::el_set(editor, EL_REFRESH); }

    // An empty line after the prompt, drawn anew (libedit resets its line and history position).
    void start_line() {
        ::el_set(editor, EL_UNBUFFERED, 0);
        ::el_set(editor, EL_UNBUFFERED, 1);
        line_entered = false;
    }

    // Acts on the signals noted since the last call; true when one asks to stop.
    bool handle_signals() {
        if (stop_signal != 0) {
            stop_source = platform::posix::stop_signal_name(stop_signal);
            return true;
        }
        if (continued != 0) {  // back from Ctrl-Z: the shell may have reset the terminal
            continued = 0;
            ::el_set(editor, EL_PREP_TERM, 0);
            ::el_set(editor, EL_PREP_TERM, 1);
            std::fputs("\r\033[J", stdout);
            redraw();
        }
        if (resized != 0) {
            resized = 0;
            erase_prompt();
            ::el_resize(editor);
            redraw();
        }
        if (interrupt_count != 0) {  // Ctrl-C abandons the line being typed
            interrupt_count = 0;
            if (!line_entered) {
                move_below_line();
            }
            start_line();
        }
        std::fflush(stdout);
        return false;
    }

    // Handles one key (or one key sequence) from the terminal, which poll() found with `events`.
    Event take_key(short events, std::string& line) {
        int count = 0;
        errno = 0;
        const char* text = ::el_gets(editor, &count);
        if (text == nullptr) {
            // The line is empty (a key erased it), a signal cut the read short (handled next), or
            // the terminal went away (a read error, or the end of the input with a hang-up).
            const bool gone = (errno != 0 && errno != EINTR) || (events & (POLLHUP | POLLERR | POLLNVAL)) != 0;
            return gone ? Event::end_of_input : Event::idle;
        }
        const auto size = static_cast<std::size_t>(count);
        if (size >= 1 && text[size - 1] == '\n') {
            line.assign(text, size - 1);
            line_entered = true;
            return Event::line;
        }
        if (size == 1 && text[0] == '\x04') {  // libedit's mark of Ctrl-D on an empty line
            return Event::end_of_input;
        }
        return Event::idle;
    }
};

LineEditor::LineEditor(std::string prompt, HistoryFile history) : state_(std::make_unique<State>()) {
    State& state = *state_;
    state.prompt = std::move(prompt);
    state.history_file = std::move(history);
    std::setlocale(LC_CTYPE, "");  // so that libedit edits the user's multibyte characters as such
    state.editor = ::el_init("oneline", stdin, stdout, stderr);
    if (state.editor == nullptr) {
        throw Error(std::error_code(errno, std::system_category()), "cannot set the terminal up for editing");
    }
    ::el_set(state.editor, EL_CLIENTDATA, static_cast<void*>(&state));
    ::el_set(state.editor, EL_PROMPT, &State::prompt_of);
    ::el_set(state.editor, EL_EDITOR, "emacs");
    ::el_set(state.editor, EL_SIGNAL, 0);  // the handlers below: libedit's would re-raise to the process group
    if (state.history_file.entries > 0) {
        state.history = ::history_init();
        if (state.history == nullptr) {
            throw Error(std::error_code(errno, std::system_category()), "cannot keep a history");
        }
        HistEvent event{};
        ::history(state.history, &event, H_SETSIZE, static_cast<int>(state.history_file.entries));
        ::history(state.history, &event, H_SETUNIQUE, 1);
        if (!state.history_file.path.empty()) {
            ::history(state.history, &event, H_LOAD, state.history_file.path.c_str());  // none yet: empty
        }
        ::el_set(state.editor, EL_HIST, ::history, state.history);
    }
    ::el_source(state.editor, nullptr);  // the user's ~/.editrc (key bindings), when there is one
    state.install_signal_handlers();
    ::el_set(state.editor, EL_UNBUFFERED, 1);  // the terminal in edit mode, the prompt shown
    std::fflush(stdout);
}

LineEditor::~LineEditor() = default;

LineEditor::Event LineEditor::wait(std::chrono::milliseconds timeout, std::string& line) {
    State& state = *state_;
    if (state.line_entered) {
        state.start_line();
        std::fflush(stdout);
    }
    if (state.handle_signals()) {
        return Event::stop_requested;
    }
    pollfd terminal{STDIN_FILENO, POLLIN, 0};
    const auto wait_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, timeout.count()));
    int ready = ::poll(&terminal, 1, wait_ms);
    for (int keys = 0; ready > 0 && keys < kMaxKeysPerWait; ++keys) {
        if (state.handle_signals()) {
            return Event::stop_requested;
        }
        const Event event = state.take_key(terminal.revents, line);
        if (event != Event::idle) {
            return event;
        }
        terminal.revents = 0;
        ready = ::poll(&terminal, 1, 0);
    }
    if (ready < 0 && errno != EINTR) {
        return Event::end_of_input;  // the terminal cannot be waited on: nobody can type any more
    }
    return state.handle_signals() ? Event::stop_requested : Event::idle;
}

void LineEditor::show(std::string_view text, bool to_stderr) {
    State& state = *state_;
    const bool editing = !state.line_entered && !state.finished;
    if (editing) {
        state.erase_prompt();
    }
    std::fflush(stdout);
    std::FILE* stream = to_stderr ? stderr : stdout;
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fflush(stream);
    if (editing) {
        state.redraw();
        std::fflush(stdout);
    }
}

void LineEditor::remember(const std::string& line) {
    State& state = *state_;
    if (state.history == nullptr || line.empty()) {
        return;
    }
    HistEvent event{};
    ::history(state.history, &event, H_ENTER, line.c_str());
}

void LineEditor::finish(std::string_view echo) {
    State& state = *state_;
    if (state.finished) {
        return;
    }
    state.finished = true;
    if (!state.line_entered) {
        state.erase_prompt();
        if (!echo.empty()) {  // drawn anew: libedit has echoed Ctrl-D as ^D
            std::fprintf(stdout, "%s%.*s\n", state.prompt.c_str(), static_cast<int>(echo.size()), echo.data());
        }
    }
    ::el_set(state.editor, EL_UNBUFFERED, 0);
    std::fflush(stdout);
}

std::string LineEditor::save_history() {
    State& state = *state_;
    if (state.history == nullptr || state.history_file.path.empty()) {
        return {};
    }
    HistEvent event{};
    errno = 0;
    if (::history(state.history, &event, H_SAVE, state.history_file.path.c_str()) < 0) {
        const int code = errno;
        return "cannot save the history in " + state.history_file.path +
               (code != 0 ? ": " + std::error_code(code, std::system_category()).message() : std::string());
    }
    return {};
}

std::string_view LineEditor::stop_source() const noexcept { return state_->stop_source; }

}  // namespace oneline::cli
