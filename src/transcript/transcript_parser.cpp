// Reads a transcript, line by line, into cases and steps. Everything that could go wrong is found
// here, so that a malformed file is refused before a single command is sent.
#include "log/message_text.hpp"
#include "transcript/response_pattern.hpp"

#include <oneline/transcript.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>

namespace oneline {
namespace {

using text::shown;

bool is_goodbye(std::string_view command) { return command == "disconnect" || command == "shutdown"; }

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> found;
    std::size_t at = 0;
    while ((at = text.find_first_not_of(" \t", at)) != std::string_view::npos) {
        const std::size_t end = std::min(text.find_first_of(" \t", at), text.size());
        found.emplace_back(text.substr(at, end - at));
        at = end;
    }
    return found;
}

/// Reads one transcript; parse() gives it whole or throws at the first line at fault.
class Parser {
public:
    Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    Transcript parse() {
        transcript_.file = file_;
        transcript_.cases.push_back(TranscriptCase{file_, {}, 0, {}});
        std::size_t start = 0;
        while (start < text_.size()) {
            const std::size_t end = std::min(text_.find('\n', start), text_.size());
            std::string_view line = text_.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            ++line_;
            read_line(line);
            start = end + 1;
        }
        end_case();
        if (transcript_.cases.front().steps.empty()) {
            transcript_.cases.erase(transcript_.cases.begin());  // only comments before the first `##`
        }
        if (transcript_.cases.empty()) {
            throw TranscriptError(file_, 0, "has no command: a transcript that sends nothing checks nothing");
        }
        check_goodbyes();
        return std::move(transcript_);
    }

private:
    [[noreturn]] void fail(const std::string& message, std::size_t line = 0) const {
        throw TranscriptError(file_, line == 0 ? line_ : line, message);
    }

    TranscriptCase& current() { return transcript_.cases.back(); }

    void read_line(std::string_view line) {
        if (is_blank(line)) {
            return;
        }
        if (starts_with(line, "##")) {
            start_case(line.substr(2));
        } else if (line[0] == '#') {
            return;  // a comment
        } else if (line[0] == '>') {
            add_command(text_after(line, ">"));
        } else if (starts_with(line, "<~")) {
            const std::string_view pattern = text_after(line, "<~");
            if (pattern.empty()) {
                fail("'<~' needs a pattern after it (an empty response is '<')");
            }
            add_response(ExpectedResponse::Kind::pattern, pattern);
        } else if (starts_with(line, "<*")) {
            if (!is_blank(line.substr(2))) {
                fail("'<*' takes nothing after it");
            }
            add_response(ExpectedResponse::Kind::any_rest, {});
        } else if (line[0] == '<') {
            add_response(ExpectedResponse::Kind::exact, text_after(line, "<"));
        } else if (line[0] == '@') {
            read_directive(line.substr(1));
        } else {
            fail("a line must start with '>', '<', '<~', '<*', '@', '#' or '##': " + shown(line));
        }
    }

    /// What follows `prefix` and the one space after it; the prefix alone gives an empty text.
    std::string_view text_after(std::string_view line, std::string_view prefix) const {
        std::string_view rest = line.substr(prefix.size());
        if (rest.empty()) {
            return rest;
        }
        if (rest[0] != ' ') {
            fail("'" + std::string(prefix) + "' must be followed by a space: " + shown(line));
        }
        return rest.substr(1);
    }

    void start_case(std::string_view header) {
        if (!header.empty() && header[0] != ' ' && header[0] != '\t') {
            fail("'##' must be followed by a space and the case's name");
        }
        std::vector<std::string> parts = words(header);
        if (parts.empty()) {
            fail("'##' needs the case's name after it");
        }
        end_case();
        TranscriptCase next{parts.front(), {}, line_, {}};
        for (auto id = std::next(parts.begin()); id != parts.end(); ++id) {
            next.requirements.push_back(std::move(*id));
        }
        strip_brackets(next.requirements);
        const auto [earlier, added] = case_lines_.emplace(next.name, line_);
        if (!added) {
            fail("case '" + next.name + "' is already named at line " + std::to_string(earlier->second));
        }
        transcript_.cases.push_back(std::move(next));
    }

    /// `## NAME [ID ID]` may write its ids in brackets, as the format's own synopsis does.
    void strip_brackets(std::vector<std::string>& ids) const {
        if (ids.empty() || ids.front()[0] != '[') {
            return;
        }
        if (ids.back().back() != ']') {
            fail("the requirement ids open a '[' that no ']' closes");
        }
        ids.front().erase(0, 1);
        ids.back().pop_back();
        std::vector<std::string> kept;
        for (std::string& id : ids) {
            if (!id.empty()) {
                kept.push_back(std::move(id));
            }
        }
        ids = std::move(kept);
    }

    void end_case() {
        if (pending_timeout_ || pending_pause_) {
            fail(
                std::string("'@ ") + (pending_timeout_ ? "timeout" : "pause") + "' has no command after it in its case",
                directive_line_);
        }
        if (current().line > 0 && current().steps.empty()) {
            fail("case '" + current().name + "' has no command", current().line);
        }
    }

    void add_command(std::string_view command) {
        TranscriptStep step;
        step.command = std::string(command);
        step.line = line_;
        step.timeout = pending_timeout_;
        step.pause = pending_pause_.value_or(std::chrono::milliseconds(0));
        pending_timeout_.reset();
        pending_pause_.reset();
        current().steps.push_back(std::move(step));
        goodbye_lines_.push_back(is_goodbye(command) ? line_ : 0);
    }

    void add_response(ExpectedResponse::Kind kind, std::string_view text) {
        if (current().steps.empty()) {
            fail("a response line before any command" +
                 std::string(current().line > 0 ? " of case '" + current().name + "'" : ""));
        }
        TranscriptStep& step = current().steps.back();
        if (is_goodbye(step.command)) {
            fail("'" + step.command + "' gets no response: the server closes the connection");
        }
        if (!step.responses.empty() && step.responses.back().kind() == ExpectedResponse::Kind::any_rest) {
            fail("'<*' must be the last response line of its command (line " +
                 std::to_string(step.responses.back().line()) + ")");
        }
        if (kind != ExpectedResponse::Kind::pattern) {
            step.responses.emplace_back(kind, std::string(text), file_, line_);
            return;
        }
        // A pattern written many times (a bulk transcript's `<~` on every command) is compiled once.
        const auto known = patterns_.find(text);
        if (known != patterns_.end()) {
            step.responses.push_back(known->second.at_line(line_));
        } else {
            step.responses.emplace_back(kind, std::string(text), file_, line_);
            patterns_.emplace(std::string(text), step.responses.back());
        }
    }

    void read_directive(std::string_view directive) {
        const std::vector<std::string> parts = words(directive);
        if (parts.size() != 2 || (parts[0] != "timeout" && parts[0] != "pause")) {
            fail("'@' takes 'timeout SECONDS' or 'pause SECONDS'");
        }
        const bool timeout = parts[0] == "timeout";
        const std::chrono::milliseconds value = seconds(parts[1], timeout);
        (timeout ? pending_timeout_ : pending_pause_) = value;
        directive_line_ = line_;
    }

    std::chrono::milliseconds seconds(const std::string& text, bool timeout) const {
        constexpr double kMostSeconds = 24 * 3600;
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0 ||
            value > kMostSeconds || (timeout && value <= 0)) {
            fail("'" + text + "' is not a number of seconds " +
                 (timeout ? std::string("above 0") : std::string("from 0")) + " up to 86400");
        }
        return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(value * 1000)));
    }

    /// `disconnect` and `shutdown` close the connection: nothing can follow them in the file.
    void check_goodbyes() const {
        for (std::size_t i = 0; i + 1 < goodbye_lines_.size(); ++i) {
            if (goodbye_lines_[i] != 0) {
                fail("the server closes the connection on this command: only the file's last command may be one",
                     goodbye_lines_[i]);
            }
        }
    }

    std::string_view text_;
    const std::string& file_;
    Transcript transcript_;
    std::size_t line_ = 0;
    std::optional<std::chrono::milliseconds> pending_timeout_;
    std::optional<std::chrono::milliseconds> pending_pause_;
    std::size_t directive_line_ = 0;
    std::map<std::string, std::size_t> case_lines_;
    std::map<std::string, ExpectedResponse, std::less<>> patterns_;  // each pattern compiled, by its text
    std::vector<std::size_t> goodbye_lines_;  // per command in the file: its line when it is a goodbye, else 0
};

}  // namespace

Transcript parse_transcript(std::string_view text, const std::string& file) { return Parser(text, file).parse(); }

Transcript read_transcript(const std::string& path, std::size_t max_size) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw TranscriptError(path, 0, std::string("cannot be opened: ") + std::strerror(errno));
    }
    std::string text;
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        if (text.size() + static_cast<std::size_t>(in.gcount()) > max_size) {
            throw TranscriptError(path, 0, "is larger than " + std::to_string(max_size) + " bytes");
        }
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw TranscriptError(path, 0, "cannot be read");
    }
    return parse_transcript(text, path);
}

}  // namespace oneline
