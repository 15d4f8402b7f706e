#pragma once

/// \file
/// Transcripts: a command port's expected conversation, written as text. read_transcript() and
/// parse_transcript() read one (every malformed line is found before anything is sent);
/// check_transcript() runs one against a server; write_transcript_step() writes one, as a recording does.
///
/// The format, one line at a time, typed by its prefix (a trailing 0x0D is dropped):
///   `> COMMAND`    a command sent: everything after "> ", verbatim
///   `< RESPONSE`   the next response, exactly ("<" alone: an empty response)
///   `<~ REGEX`     the next response matches REGEX as a whole (RE2 syntax)
///   `<*`           any number of further responses, none included (last of a command's lines)
///   `@ timeout S`  the next command waits up to S seconds for its responses instead of the default
///   `@ pause S`    before the next command is sent, every earlier one is answered and S seconds pass
///   `# text`       a comment; blank lines are ignored
///   `## NAME [ID ...]`  starts a case named NAME that verifies the requirement ids listed; lines
///                  before the first `##` form a case named after the file
/// A command with no response lines after it expects none. `disconnect` and `shutdown` may only be a
/// file's last command, with no response lines: the server closes the connection on them.

#include <oneline/errors.hpp>
#include <oneline/export.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace oneline {

class Client;

/// A transcript that cannot be read or is malformed: what() is "FILE:LINE: what is wrong"
/// ("FILE: ..." when the file cannot be read at all).
class ONELINE_EXPORT TranscriptError : public std::runtime_error {
public:
    /// `message` about `line` of `file` (0: the file as a whole).
    TranscriptError(std::string file, std::size_t line, const std::string& message);
    /// The file as it was named.
    const std::string& file() const noexcept { return file_; }
    /// The 1-based line at fault; 0 when it is the file as a whole.
    std::size_t line() const noexcept { return line_; }

private:
    std::string file_;
    std::size_t line_;
};

/// What a transcript line expects of one response.
class ONELINE_EXPORT ExpectedResponse {
public:
    /// The three kinds of response line.
    enum class Kind {
        exact,    ///< `<`: this text exactly
        pattern,  ///< `<~`: a response that the RE2 pattern matches as a whole
        any_rest  ///< `<*`: any number of further responses
    };
    /// An exact expectation, or a pattern (compiled here: throws TranscriptError naming `file` and
    /// `line` when it is not valid RE2, or when this build has no RE2), or any_rest (`text` unused).
    ExpectedResponse(Kind kind, std::string text, std::string_view file, std::size_t line);

    /// Which of the three it is.
    Kind kind() const noexcept { return kind_; }
    /// The expected text, or the pattern as written.
    const std::string& text() const noexcept { return text_; }
    /// The 1-based line of the transcript that wrote it.
    std::size_t line() const noexcept { return line_; }
    /// Whether `response` is what this line expects (any_rest: always).
    bool matches(std::string_view response) const;
    /// How the transcript wrote it: "< text", "<~ pattern", "<*".
    std::string written() const;
    /// The same expectation, written at `line`: a pattern is shared, not compiled again.
    ExpectedResponse at_line(std::size_t line) const;

    /// A compiled pattern: the library's own, not part of its API.
    class ONELINE_NO_EXPORT Pattern;

private:
    Kind kind_;
    std::string text_;
    std::size_t line_;
    std::shared_ptr<const Pattern> pattern_;  // pattern only: compiled once, shared by copies
};

/// One command and the responses it is expected to get.
struct ONELINE_EXPORT TranscriptStep {
    std::string command;                      ///< what is sent, without its 0x0A
    std::size_t line = 0;                     ///< of its `>` line
    std::vector<ExpectedResponse> responses;  ///< in order; an any_rest one only last
    /// `@ timeout`: how long its responses may take; unset: the checker's default.
    std::optional<std::chrono::milliseconds> timeout;
    /// `@ pause`: how long to wait, with nothing in flight, before sending it.
    std::chrono::milliseconds pause{0};
};

/// A named group of steps and the requirements it verifies.
struct ONELINE_EXPORT TranscriptCase {
    std::string name;                       ///< from its `##` line, or the file's name
    std::vector<std::string> requirements;  ///< the ids its `##` line lists
    std::size_t line = 0;                   ///< of its `##` line; 0 for the file's unnamed first case
    std::vector<TranscriptStep> steps;      ///< never empty
};

/// A parsed transcript.
struct ONELINE_EXPORT Transcript {
    std::string file;                   ///< as given: messages name it
    std::vector<TranscriptCase> cases;  ///< in the file's order; never empty
};

/// Parses `text`, naming `file` in messages and in the unnamed first case. Throws TranscriptError
/// at the first malformed line. An unnamed first case with no steps is left out.
ONELINE_EXPORT Transcript parse_transcript(std::string_view text, const std::string& file);

/// Reads and parses the file at `path` (at most `max_size` bytes). Throws TranscriptError.
ONELINE_EXPORT Transcript read_transcript(const std::string& path, std::size_t max_size = 64 * 1024 * 1024);

/// The lines a recording writes for one command and its responses, each ending in 0x0A: `> command`
/// then `< response` each (`<` alone for an empty one). Throws TranscriptError (with line 0) for a
/// command or response that holds 0x0A, which a transcript line cannot.
ONELINE_EXPORT std::string write_transcript_step(std::string_view command, const std::vector<std::string>& responses);

/// How check_transcript() runs.
struct ONELINE_EXPORT CheckOptions {
    /// How long a command's responses may take, counted from the last response that came (or from
    /// when it was sent), unless its `@ timeout` says otherwise.
    std::chrono::milliseconds timeout{5000};
    /// The most commands in flight (sent, not yet answered in full).
    std::size_t window = 4096;
};

/// What came of one case.
struct ONELINE_EXPORT CaseOutcome {
    std::string file;                       ///< the transcript's, as given
    std::string name;                       ///< the case's
    std::vector<std::string> requirements;  ///< the ids the case verifies
    std::size_t line = 0;                   ///< of its `##` line (0: the unnamed first case)
    bool passed = false;                    ///< every response was as expected
    /// Why it failed: "FILE:LINE: ..." naming the expectation, what was expected and what came.
    std::string failure;
    std::size_t commands = 0;              ///< how many of its commands were sent
    std::chrono::nanoseconds duration{0};  ///< from its first command sent to its last answer
};

/// Runs the cases of `transcript` in order on one connection, which `connect` makes (and makes
/// again when a case lost it: a timeout or a close fails that case, the next gets a new connection;
/// when `connect` throws, the cases left fail with its message). Commands are pipelined, each followed
/// by `ping`: the responses before its `pong` are the command's, so a missing or an extra response
/// is caught, not drifted over. A case ends at its first mismatch; the rest of its commands still
/// go out and are answered, so the next case starts in step. The client is disconnected at the end
/// (or sent the file's own `disconnect`/`shutdown`). Never throws for what the server does.
ONELINE_EXPORT std::vector<CaseOutcome> check_transcript(const Transcript& transcript,
                                                         const std::function<Client()>& connect,
                                                         const CheckOptions& options = {});

}  // namespace oneline
