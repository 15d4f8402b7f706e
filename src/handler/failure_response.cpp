#include "handler/failure_response.hpp"

namespace oneline::handler {

std::string failure_response_for(std::string_view pattern, std::string_view reason) {
    static constexpr std::string_view kPlaceholder = "{reason}";
    std::string line;
    std::size_t from = 0;
    for (std::size_t at = pattern.find(kPlaceholder); at != std::string_view::npos;
         at = pattern.find(kPlaceholder, from)) {
        line.append(pattern, from, at - from).append(reason);
        from = at + kPlaceholder.size();
    }
    line.append(pattern, from);
    for (char& byte : line) {  // a reason from the system could hold a line break
        if (byte == '\n' || byte == '\r') {
            byte = ' ';
        }
    }
    return line;
}

}  // namespace oneline::handler
