// The interactive prompt on Windows: the console's own line input (its editing keys, no history
// kept between sessions), read by a thread of its own so that responses are shown while a line is
// typed. A response cannot redraw the line being typed: it is printed, then the prompt again.
#include "cli/line_editor.hpp"

#include "cli/standard_input.hpp"

#include <windows.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace oneline::cli {
namespace {

bool is_console(DWORD which) {
    DWORD mode = 0;
    HANDLE handle = ::GetStdHandle(which);
    return handle != nullptr && handle != INVALID_HANDLE_VALUE && ::GetConsoleMode(handle, &mode) != 0;
}

// Lines typed, handed from the reading thread to the one that edits. Shared with the thread,
// which may outlive the editor (it stays blocked in the console read until the process ends).
struct TypedLines {
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<std::string> lines;
    bool ended = false;
};

void read_lines(const std::shared_ptr<TypedLines>& typed) {
    std::string line;
    char buffer[4096];
    for (;;) {
        std::error_code error;
        const std::ptrdiff_t got = read_standard_input(buffer, sizeof buffer, error);
        const std::lock_guard<std::mutex> lock(typed->mutex);
        if (got <= 0) {
            typed->ended = true;
            typed->arrived.notify_all();
            return;
        }
        for (std::ptrdiff_t i = 0; i < got; ++i) {
            if (buffer[i] == '\n') {
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                typed->lines.push_back(std::move(line));
                line.clear();
            } else {
                line += buffer[i];
            }
        }
        typed->arrived.notify_all();
    }
}

}  // namespace

bool standard_streams_are_terminals() noexcept { return is_console(STD_INPUT_HANDLE) && is_console(STD_OUTPUT_HANDLE); }

struct LineEditor::State {
    std::string prompt;
    std::shared_ptr<TypedLines> typed = std::make_shared<TypedLines>();
    bool finished = false;
    bool prompt_owed = false;  // a line was entered: the next wait() shows the prompt again
};

LineEditor::LineEditor(std::string prompt, HistoryFile /*history*/) : state_(std::make_unique<State>()) {
    state_->prompt = std::move(prompt);
    std::thread(read_lines, state_->typed).detach();
    std::fputs(state_->prompt.c_str(), stdout);
    std::fflush(stdout);
}

LineEditor::~LineEditor() = default;

LineEditor::Event LineEditor::wait(std::chrono::milliseconds timeout, std::string& line) {
    if (state_->prompt_owed) {
        state_->prompt_owed = false;
        std::fputs(state_->prompt.c_str(), stdout);
        std::fflush(stdout);
    }
    TypedLines& typed = *state_->typed;
    std::unique_lock<std::mutex> lock(typed.mutex);
    typed.arrived.wait_for(lock, timeout, [&] { return !typed.lines.empty() || typed.ended; });
    if (!typed.lines.empty()) {
        line = std::move(typed.lines.front());
        typed.lines.pop_front();
        state_->prompt_owed = true;
        return Event::line;
    }
    return typed.ended ? Event::end_of_input : Event::idle;
}

void LineEditor::show(std::string_view text, bool to_stderr) {
    const bool editing = !state_->prompt_owed && !state_->finished;
    if (editing) {
        std::fputs("\n", stdout);  // below the prompt and whatever has been typed after it
    }
    std::fflush(stdout);
    std::FILE* stream = to_stderr ? stderr : stdout;
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fflush(stream);
    if (editing) {
        std::fputs(state_->prompt.c_str(), stdout);
        std::fflush(stdout);
    }
}

void LineEditor::remember(const std::string& /*line*/) {}

void LineEditor::finish(std::string_view echo) {
    if (state_->finished) {
        return;
    }
    state_->finished = true;
    if (!state_->prompt_owed) {
        std::fwrite(echo.data(), 1, echo.size(), stdout);
        std::fputs("\n", stdout);
        std::fflush(stdout);
    }
}

std::string LineEditor::save_history() { return {}; }

std::string_view LineEditor::stop_source() const noexcept { return {}; }

}  // namespace oneline::cli
