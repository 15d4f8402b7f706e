#pragma once

// What `oneline server --replay` answers with: for each command of a transcript, the responses
// recorded for it each time it was sent, handed out in turn, then the last ones for ever. Built
// once at load, read on the server's thread; not thread-safe.

#include <oneline/transcript.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oneline::transcript {

class ReplayTable {
public:
    /// The table of `transcript`'s commands, in the file's order across its cases. The built-ins
    /// (`ping`, `disconnect`, `shutdown`) are the server's own and are left out, and so are the
    /// `@` settings of a step. Throws TranscriptError naming the file and line of the first `<~`
    /// or `<*` line: neither says what to send.
    explicit ReplayTable(const Transcript& transcript);

    /// The responses for this time `command` is answered (possibly none), and its turn moves on:
    /// the answers recorded for it in turn, then the last one each time after. nullptr when the
    /// transcript never sends `command`. The pointer is valid until the next call.
    const std::vector<std::string>* next(std::string_view command);

    /// How many different commands the table answers.
    std::size_t commands() const noexcept { return answers_.size(); }

private:
    /// One answer and how many times in a row it was recorded (a query sent over and over costs
    /// one entry, not one per time).
    struct Turn {
        std::vector<std::string> responses;
        std::size_t times = 1;
    };
    struct Answers {
        std::vector<Turn> turns;
        std::size_t turn = 0;  // the turn answered next
        std::size_t used = 0;  // how many of its times are answered
    };

    std::unordered_map<std::string, Answers> answers_;
    std::string key_;  // the command being looked up: no allocation per lookup once it is large enough
};

}  // namespace oneline::transcript
