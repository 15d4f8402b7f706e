// What a recording writes: the lines that parse_transcript() reads back as the same step.
#include <oneline/transcript.hpp>

namespace oneline {
namespace {

/// A transcript line holds neither a line feed nor, at its end, a carriage return (the reader drops one).
void check_writable(std::string_view text, const char* what) {
    if (text.find('\n') != std::string_view::npos) {
        throw TranscriptError("transcript", 0, std::string("a ") + what + " holding a line feed cannot be written");
    }
    if (!text.empty() && text.back() == '\r') {
        throw TranscriptError("transcript", 0,
                              std::string("a ") + what + " ending in a carriage return cannot be written");
    }
}

void append_line(std::string& out, char prefix, std::string_view text) {
    out.push_back(prefix);
    if (!text.empty()) {
        out.push_back(' ');
        out.append(text);
    }
    out.push_back('\n');
}

}  // namespace

std::string write_transcript_step(std::string_view command, const std::vector<std::string>& responses) {
    check_writable(command, "command");
    std::string out;
    append_line(out, '>', command);
    for (const std::string& response : responses) {
        check_writable(response, "response");
        append_line(out, '<', response);
    }
    return out;
}

}  // namespace oneline
