#pragma once

// The handler's side of the wire, as JSON Lines: one request line per command to its stdin, one
// answer line per command from its stdout. Pure: no process, no I/O.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::handler {

/// Appends the request line for one command: `{"command": "...", "invalid": false}` and 0x0A. A
/// byte that is not UTF-8 (only possible in a command flagged invalid) becomes U+FFFD.
void append_request(std::string& out, std::string_view command, bool is_invalid);

/// Reads one answer line (without its 0x0A): a JSON object whose member `responses` is an array
/// of at most `max_responses` strings; other members are ignored. On success replaces `responses`
/// with them and returns an empty string; otherwise returns what is wrong, in words for the log
/// ("not JSON: syntax error ...", "no \"responses\" member", "response 2 is not a string",
/// "more than 100 responses", "response 1 holds a line feed"). Reads as it parses: a line of
/// thousands of responses is refused at the first one too many, without building it whole.
std::string parse_answer(std::string_view line, std::size_t max_responses, std::vector<std::string>& responses);

}  // namespace oneline::handler
