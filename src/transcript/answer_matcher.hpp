#pragma once

#include <oneline/transcript.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace oneline::transcript {

/// Holds one command's answer against what its transcript step expects, one response at a time,
/// and words each mismatch as "FILE:LINE: ...", naming the expectation (or the command, for a
/// response too many), what was expected and what came. Pure: no sockets, no clock.
class AnswerMatcher {
public:
    /// `step` and `file` must outlive the matcher.
    AnswerMatcher(const TranscriptStep& step, std::string_view file) : step_(&step), file_(file) {}

    const TranscriptStep& step() const noexcept { return *step_; }

    /// Whether `response` is the fence's `pong` that ends the answer. The command `ping` is
    /// answered `pong` itself first: that one is its response, the next is the fence's.
    bool is_fence(std::string_view response);

    /// A response of the answer: a failure message when it is not what the step expects next.
    std::optional<std::string> take(std::string_view response);

    /// The end of the answer: a failure message when a response it expects did not come.
    std::optional<std::string> end() const;

    /// Why the answer was cut short by `what` ("no response within 5 s", "the server closed the
    /// connection"), naming what was still awaited.
    std::string cut_short(std::string_view what) const;

    /// A response that came after this command's answer had ended.
    std::string late(std::string_view response) const;

private:
    /// The expectation the next response is held against; null once every one is met.
    const ExpectedResponse* next_expected() const;
    /// How a message names the expectation: "'ack'", "a match of '[0-9]+'".
    static std::string described(const ExpectedResponse& expected);
    std::string where(std::size_t line) const;
    std::string came_so_far() const;

    const TranscriptStep* step_;
    std::string_view file_;
    std::size_t matched_ = 0;  // expectations met, from the front
    std::size_t came_ = 0;     // responses taken
    bool own_pong_seen_ = false;
};

}  // namespace oneline::transcript
