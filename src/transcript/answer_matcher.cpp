#include "transcript/answer_matcher.hpp"

#include "transcript/shown_text.hpp"

namespace oneline::transcript {
namespace {

constexpr std::string_view kPong = "pong";

std::string responses_text(std::size_t count) {
    return std::to_string(count) + (count == 1 ? " response" : " responses");
}

}  // namespace

bool AnswerMatcher::is_fence(std::string_view response) {
    if (response != kPong) {
        return false;
    }
    if (step_->command == "ping" && !own_pong_seen_) {
        own_pong_seen_ = true;
        return false;
    }
    return true;
}

const ExpectedResponse* AnswerMatcher::next_expected() const {
    return matched_ < step_->responses.size() ? &step_->responses[matched_] : nullptr;
}

std::optional<std::string> AnswerMatcher::take(std::string_view response) {
    ++came_;
    const ExpectedResponse* expected = next_expected();
    if (expected == nullptr) {
        const std::size_t wanted = step_->responses.size();
        return where(step_->line) + "extra response to " + shown(step_->command) + ": expected " +
               (wanted == 0 ? std::string("none") : "only " + responses_text(wanted)) + ", got " + shown(response) +
               " as response " + std::to_string(came_);
    }
    if (expected->kind() == ExpectedResponse::Kind::any_rest) {
        return std::nullopt;  // stays the next expectation: it takes any number
    }
    if (!expected->matches(response)) {
        return where(expected->line()) + "wrong response to " + shown(step_->command) + ": expected " +
               described(*expected) + ", got " + shown(response);
    }
    ++matched_;
    return std::nullopt;
}

std::optional<std::string> AnswerMatcher::end() const {
    const ExpectedResponse* expected = next_expected();
    if (expected == nullptr || expected->kind() == ExpectedResponse::Kind::any_rest) {
        return std::nullopt;
    }
    return where(expected->line()) + "missing response to " + shown(step_->command) + ": expected " +
           described(*expected) + ", got the end of its answer " + came_so_far();
}

std::string AnswerMatcher::cut_short(std::string_view what) const {
    const ExpectedResponse* expected = next_expected();
    const bool awaited = expected != nullptr && expected->kind() != ExpectedResponse::Kind::any_rest;
    return where(awaited ? expected->line() : step_->line) + std::string(what) + " during the answer to " +
           shown(step_->command) + ": expected " +
           (awaited ? described(*expected) : std::string("the end of its answer ('pong' to the 'ping' after it)")) +
           ", got nothing more " + came_so_far();
}

std::string AnswerMatcher::late(std::string_view response) const {
    return where(step_->line) + "extra response to " + shown(step_->command) + ": got " + shown(response) +
           " after its answer had ended " + came_so_far();
}

std::string AnswerMatcher::described(const ExpectedResponse& expected) {
    if (expected.kind() == ExpectedResponse::Kind::pattern) {
        return "a match of " + shown(expected.text());
    }
    return shown(expected.text());
}

std::string AnswerMatcher::where(std::size_t line) const {
    return std::string(file_) + ":" + std::to_string(line) + ": ";
}

std::string AnswerMatcher::came_so_far() const { return "(" + responses_text(came_) + " came)"; }

}  // namespace oneline::transcript
