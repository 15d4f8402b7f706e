#pragma once

#include <oneline/transcript.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace oneline {

/// A `<~` line's pattern, compiled. RE2 where the build has it (response_pattern_re2.cpp), else
/// response_pattern_absent.cpp, which refuses every pattern.
class ExpectedResponse::Pattern {
public:
    /// Throws std::invalid_argument with the reason: the pattern is not valid, or there is no RE2.
    static std::shared_ptr<const Pattern> compile(const std::string& text);

    virtual ~Pattern() = default;
    /// Whether the pattern matches `response` as a whole.
    virtual bool matches(std::string_view response) const = 0;
};

}  // namespace oneline
