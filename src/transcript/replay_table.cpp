#include "transcript/replay_table.hpp"

namespace oneline::transcript {
namespace {

bool is_built_in(std::string_view command) {
    return command == "ping" || command == "disconnect" || command == "shutdown";
}

/// The exact texts a step's response lines give, or TranscriptError at a `<~` or `<*` line.
std::vector<std::string> exact_responses(const TranscriptStep& step, const std::string& file) {
    std::vector<std::string> responses;
    responses.reserve(step.responses.size());
    for (const ExpectedResponse& expected : step.responses) {
        switch (expected.kind()) {
            case ExpectedResponse::Kind::exact: responses.push_back(expected.text()); break;
            case ExpectedResponse::Kind::pattern:
                throw TranscriptError(file, expected.line(),
                                      "a '<~' line cannot be replayed: it says what a response may be, not what "
                                      "to send");
            case ExpectedResponse::Kind::any_rest:
                throw TranscriptError(file, expected.line(),
                                      "a '<*' line cannot be replayed: it does not say which responses to send");
        }
    }
    return responses;
}

}  // namespace

ReplayTable::ReplayTable(const Transcript& transcript) {
    for (const TranscriptCase& each : transcript.cases) {
        for (const TranscriptStep& step : each.steps) {
            std::vector<std::string> responses = exact_responses(step, transcript.file);
            if (is_built_in(step.command)) {
                continue;  // checked all the same: a bad line is an error wherever it is
            }
            std::vector<Turn>& turns = answers_[step.command].turns;
            if (!turns.empty() && turns.back().responses == responses) {
                ++turns.back().times;
            } else {
                turns.push_back(Turn{std::move(responses), 1});
            }
        }
    }
}

const std::vector<std::string>* ReplayTable::next(std::string_view command) {
    key_.assign(command);
    const auto found = answers_.find(key_);
    if (found == answers_.end()) {
        return nullptr;
    }
    Answers& answers = found->second;
    const Turn& turn = answers.turns[answers.turn];
    if (answers.turn + 1 < answers.turns.size() && ++answers.used == turn.times) {
        ++answers.turn;
        answers.used = 0;
    }
    return &turn.responses;
}

}  // namespace oneline::transcript
