#include "transcript/response_pattern.hpp"

#include <stdexcept>

namespace oneline {

ExpectedResponse::ExpectedResponse(Kind kind, std::string text, std::string_view file, std::size_t line)
    : kind_(kind), text_(std::move(text)), line_(line) {
    if (kind_ == Kind::pattern) {
        try {
            pattern_ = Pattern::compile(text_);
        } catch (const std::invalid_argument& error) {
            throw TranscriptError(std::string(file), line, error.what());
        }
    }
}

bool ExpectedResponse::matches(std::string_view response) const {
    switch (kind_) {
        case Kind::exact: return response == text_;
        case Kind::pattern: return pattern_->matches(response);
        case Kind::any_rest: return true;
    }
    return false;
}

ExpectedResponse ExpectedResponse::at_line(std::size_t line) const {
    ExpectedResponse copy(*this);
    copy.line_ = line;
    return copy;
}

std::string ExpectedResponse::written() const {
    switch (kind_) {
        case Kind::exact: return text_.empty() ? "<" : "< " + text_;
        case Kind::pattern: return "<~ " + text_;
        case Kind::any_rest: return "<*";
    }
    return {};
}

}  // namespace oneline
