// Where the build has no RE2 (the Windows cross build's sysroot has none), `<~` lines are refused
// when the transcript is read, before anything is sent.
#include "transcript/response_pattern.hpp"

#include <stdexcept>

namespace oneline {

std::shared_ptr<const ExpectedResponse::Pattern> ExpectedResponse::Pattern::compile(const std::string&) {
    throw std::invalid_argument("this build of oneline has no regular expressions (RE2): '<~' cannot be checked");
}

}  // namespace oneline
