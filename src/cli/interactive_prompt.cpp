#include "cli/interactive_prompt.hpp"

#include "cli/connection.hpp"
#include "cli/quoting.hpp"

#include <oneline/client.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <utility>

namespace oneline::cli {
namespace {

// How long the prompt waits on the keyboard before it looks for responses again: the most a
// response or the server's close waits to be shown.
constexpr std::chrono::milliseconds kResponseCheckInterval{20};
// Responses shown in one go before the keyboard gets its turn (a server that floods the client
// must not lock the person out), and the bytes they may add up to.
constexpr std::size_t kMaxResponsesPerTurn = 1000;
constexpr std::size_t kMaxBytesPerTurn = 1024 * 1024;
constexpr std::size_t kDefaultHistoryEntries = 1000;
constexpr std::size_t kMaxHistoryEntries = 1000000;
constexpr std::string_view kHistoryName = ".oneline_history";

enum class Ending { goodbye, closed, stopped };

struct Outcome {
    Ending ending = Ending::goodbye;
    std::string detail;  // goodbye: the word said; closed: the command not sent, if any; stopped: what asked
};

bool is_goodbye(std::string_view command) { return command == "disconnect" || command == "shutdown"; }

std::size_t history_entries(std::string_view command, const char* text) {
    const std::string value(text);
    std::size_t entries = 0;
    bool valid = !value.empty() && value.size() <= 7;
    for (const char digit : value) {
        valid = valid && digit >= '0' && digit <= '9';
        entries = entries * 10 + static_cast<std::size_t>(digit - '0');
    }
    if (!valid || entries > kMaxHistoryEntries) {
        fail(command,
             "ONELINE_HISTORY_SIZE must be a number of lines from 0 to " + std::to_string(kMaxHistoryEntries) +
                 ", not " + cli::quoted(value),
             exit_usage);
    }
    return entries;
}

// Talks until the person or the server ends the session; shows what arrives meanwhile.
Outcome converse(Client& client, LineEditor& editor, const PromptOptions& options, std::string_view command) {
    std::string line;
    for (;;) {
        std::string arrived;
        for (std::size_t i = 0; i < kMaxResponsesPerTurn && arrived.size() < kMaxBytesPerTurn; ++i) {
            std::optional<std::string> response = client.recv(std::chrono::milliseconds(0));
            if (!response) {
                break;
            }
            arrived += printable_line(*response);
        }
        if (!arrived.empty()) {
            editor.show(arrived);
        }
        if (!client.connected()) {
            editor.finish("");
            return {Ending::closed, {}};
        }
        switch (editor.wait(kResponseCheckInterval, line)) {
            case LineEditor::Event::idle: break;
            case LineEditor::Event::end_of_input: editor.finish("disconnect"); return {Ending::goodbye, "disconnect"};
            case LineEditor::Event::stop_requested:
                editor.finish("");
                return {Ending::stopped, std::string(editor.stop_source())};
            case LineEditor::Event::line:
                if (line.size() > options.max_line) {
                    editor.show("oneline " + std::string(command) + ": not sent: the line is longer than " +
                                    std::to_string(options.max_line) + " bytes (--max-line)\n",
                                true);
                    break;
                }
                editor.remember(line);
                if (is_goodbye(line)) {
                    editor.finish("");
                    return {Ending::goodbye, line};
                }
                if (!client.send(line)) {
                    editor.finish("");
                    return {Ending::closed, line};
                }
                break;
        }
    }
}

}  // namespace

HistoryFile history_from_environment(std::string_view command) {
    HistoryFile history;
    history.entries = kDefaultHistoryEntries;
    if (const char* size = std::getenv("ONELINE_HISTORY_SIZE"); size != nullptr) {
        history.entries = history_entries(command, size);
    }
    if (const char* path = std::getenv("ONELINE_HISTORY"); path != nullptr) {
        history.path = path;
    } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        history.path = std::string(home) + "/" + std::string(kHistoryName);
    }
    return history;
}

std::string printable_line(std::string_view response) {
    std::string shown;
    shown.reserve(response.size() + 1);
    for (const char byte : response) {
        const auto code = static_cast<unsigned char>(byte);
        if (code == 0x7F) {
            shown += "^?";
        } else if (code < 0x20 && byte != '\t') {
            shown += '^';
            shown += static_cast<char>(code + 0x40);
        } else {
            shown += byte;
        }
    }
    shown += '\n';
    return shown;
}

namespace {

// The prompt from start to end. The terminal is restored when this returns or throws, so that
// the messages printed afterwards appear on a terminal in its usual mode.
Outcome edit(Client& client, const PromptOptions& options, std::string_view command, const HistoryFile& history,
             std::string& history_problem) {
    std::unique_ptr<LineEditor> editor;
    try {
        editor = std::make_unique<LineEditor>("oneline " + options.endpoint.text() + "> ", history);
    } catch (...) {
        client.disconnect(options.timeout);  // frees the server's slot; the error says why
        throw;
    }
    try {
        Outcome outcome = converse(client, *editor, options, command);
        history_problem = editor->save_history();
        return outcome;
    } catch (...) {
        editor->finish("");
        editor->save_history();
        throw;
    }
}

}  // namespace

void run_prompt(std::string_view command, const PromptOptions& options) {
    const HistoryFile history = history_from_environment(command);
    Client client = connect_or_fail(command, options.endpoint, options.timeout, options.verbose, options.wait);
    std::string history_problem;
    const Outcome outcome = edit(client, options, command, history, history_problem);
    if (!history_problem.empty()) {
        std::cerr << "oneline " << command << ": " << history_problem << std::endl;
    }
    switch (outcome.ending) {
        case Ending::goodbye: say_goodbye(command, client, options.endpoint, options.timeout, outcome.detail); return;
        case Ending::closed:
            fail(command,
                 options.endpoint.text() + " closed the connection" +
                     (outcome.detail.empty() ? std::string() : " before " + cli::quoted(outcome.detail) + " was sent"));
        case Ending::stopped: client.disconnect(options.timeout); fail(command, "stopped by " + outcome.detail);
    }
}

}  // namespace oneline::cli
