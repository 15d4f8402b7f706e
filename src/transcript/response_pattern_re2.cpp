// `<~` patterns in RE2's syntax: matching takes time linear in the response, whatever the pattern.
#include "transcript/response_pattern.hpp"

#include <re2/re2.h>

#include <stdexcept>

namespace oneline {
namespace {

class Re2Pattern final : public ExpectedResponse::Pattern {
public:
    explicit Re2Pattern(const std::string& text) : expression_(text, options()) {
        if (!expression_.ok()) {
            throw std::invalid_argument("not a valid RE2 pattern: " + expression_.error());
        }
    }

    bool matches(std::string_view response) const override {
        return RE2::FullMatch(re2::StringPiece(response.data(), response.size()), expression_);
    }

private:
    static RE2::Options options() {
        RE2::Options chosen;
        chosen.set_log_errors(false);  // the error is reported once, with its FILE:LINE
        return chosen;
    }

    RE2 expression_;
};

}  // namespace

std::shared_ptr<const ExpectedResponse::Pattern> ExpectedResponse::Pattern::compile(const std::string& text) {
    return std::make_shared<const Re2Pattern>(text);
}

}  // namespace oneline
