#include "cli/client_session.hpp"

#include "cli/connection.hpp"
#include "cli/quoting.hpp"
#include "cli/standard_input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "client";
/// What exact mode sends after each command; the server's `pong` to it ends the command's responses.
constexpr std::string_view kDelimiter = "ping";
constexpr std::string_view kPong = "pong";
/// Output is collected and written in pieces of about this size, and whenever the session waits.
constexpr std::size_t kOutputChunk = 64 * 1024;

using Clock = std::chrono::steady_clock;

bool is_goodbye(std::string_view command) { return command == "disconnect" || command == "shutdown"; }

std::chrono::milliseconds left_until(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
}

/// The commands to send: the arguments, the file, or stdin, one line each, without blocking
/// where that can be avoided (see take()).
class CommandSource {
public:
    explicit CommandSource(const CommandInput& input)
        : arguments_(input.arguments),
          reader_([this](char* buffer, std::size_t size, std::error_code& error) { return read(buffer, size, error); },
                  input.max_line),
          max_line_(input.max_line) {
        if (arguments_.empty() && !input.file.empty()) {
            file_ = std::make_unique<std::ifstream>(input.file, std::ios::binary);
            if (!*file_) {
                fail(kName, "cannot open '" + input.file + "': " + std::strerror(errno));
            }
        }
    }

    /// The next command, or Result::more when it is stdin's turn to be waited for (then fill()).
    LineReader::Result take(std::string& command) {
        if (!arguments_.empty()) {
            if (next_argument_ == arguments_.size()) {
                return LineReader::Result::end;
            }
            command = arguments_[next_argument_++];
            return LineReader::Result::line;
        }
        LineReader::Result result = reader_.take(command);
        while (result == LineReader::Result::more && file_) {
            reader_.fill();  // a file is always ready: no waiting for it
            result = reader_.take(command);
        }
        return result;
    }

    void fill() { reader_.fill(); }

    /// Why take() gave a result other than a line, the end or more.
    std::string problem(LineReader::Result result) const {
        const std::string what = file_ ? "the file" : "stdin";
        if (result == LineReader::Result::too_long) {
            return std::string(file_ ? "a command in " : "a command on ") + what + " is longer than " +
                   std::to_string(max_line_) + " bytes (--max-line)";
        }
        return "cannot read " + what + ": " + reader_.error().message();
    }

private:
    std::ptrdiff_t read(char* buffer, std::size_t size, std::error_code& error) {
        if (!file_) {
            return read_standard_input(buffer, size, error);
        }
        file_->read(buffer, static_cast<std::streamsize>(size));
        if (file_->bad()) {
            error = std::make_error_code(std::errc::io_error);
            return -1;
        }
        return static_cast<std::ptrdiff_t>(file_->gcount());
    }

    const std::vector<std::string>& arguments_;
    std::size_t next_argument_ = 0;
    std::unique_ptr<std::ifstream> file_;
    LineReader reader_;
    std::size_t max_line_;
};

class Session {
public:
    Session(Client& client, const Endpoint& endpoint, CommandSource& source, const ReplyRule& rule,
            std::chrono::milliseconds timeout, Window window, TranscriptRecording* recording)
        : client_(client),
          endpoint_(endpoint),
          source_(source),
          rule_(rule),
          timeout_(timeout),
          window_(window),
          recording_(recording) {}

    void run() {
        for (;;) {
            take_arrived();
            const bool input_would_block = !pull_commands();
            if (!batch_.empty()) {
                send_batch();
                continue;
            }
            if (source_done_ && in_flight_.empty()) {
                break;
            }
            flush_output();  // answers show up at once in a pipe or by hand
            if (input_would_block && room()) {
                wait_for_input_or_answer();
            } else {
                wait_for_answer();
            }
        }
        finish();
    }

private:
    enum class Kind {
        exact,    ///< its responses end at the `pong` of the `ping` sent after it
        counted,  ///< exactly rule_.responses responses
    };
    /// A command's text in texts_: its position counts every byte ever appended, so that dropping
    /// the front of texts_ moves no position.
    struct Text {
        std::size_t position;
        std::size_t size;
    };
    struct InFlight {
        Kind kind;
        Text text;
        std::size_t bytes;  // what it took on the wire
        int lines = 0;
    };
    /// The next to send: a command, and whether the delimiter follows it.
    struct Outgoing {
        Text text;
        bool delimited;
    };

    /// Whether more commands may go out. Once the window is full, it waits until half of it is
    /// answered: refilling it one command at a time would make a write (and a server read) per command.
    bool room() {
        if (in_flight_.size() >= window_.commands || in_flight_bytes_ >= window_.bytes) {
            refill_at_half_ = true;
        } else if (refill_at_half_ && in_flight_.size() <= window_.commands / 2 &&
                   in_flight_bytes_ <= window_.bytes / 2) {
            refill_at_half_ = false;
        }
        return !refill_at_half_;
    }

    /// Moves the commands that are ready into the next batch, while the window has room. False
    /// when stdin has no whole command yet (wait for it).
    bool pull_commands() {
        while (!source_done_ && room()) {
            const LineReader::Result result = source_.take(command_);
            switch (result) {
                case LineReader::Result::more: return false;
                case LineReader::Result::end: source_done_ = true; break;
                case LineReader::Result::too_long:
                case LineReader::Result::failed:
                    problem_ = source_.problem(result);
                    source_done_ = true;
                    break;
                case LineReader::Result::line:
                    if (is_goodbye(command_)) {
                        goodbye_ = command_;  // nothing after it is read: no one would be left to answer
                        goodbye_given_ = true;
                        source_done_ = true;
                    } else {
                        enqueue(rule_.responses ? Kind::counted : Kind::exact, command_);
                    }
                    break;
            }
        }
        return true;
    }

    void enqueue(Kind kind, std::string_view command) {
        if (batch_.empty()) {
            drop_old_texts();
        }
        const Text text{texts_base_ + texts_.size(), command.size()};
        texts_.append(command);
        std::size_t bytes = command.size() + 1;
        const bool answered = kind != Kind::counted || *rule_.responses > 0;
        if (answered) {
            if (in_flight_.empty()) {
                deadline_ = Clock::now() + timeout_;
            }
            if (kind == Kind::exact) {
                bytes += kDelimiter.size() + 1;
            }
            in_flight_.push_back(InFlight{kind, text, bytes, 0});
            in_flight_bytes_ += bytes;
        } else {
            last_answered_.assign(command);
            answered_any_ = true;
            if (recording_) {
                recording_->add_step(command);
            }
        }
        batch_.push_back(Outgoing{text, kind == Kind::exact});
    }

    std::string_view text_of(const Text& text) const {
        return std::string_view(texts_).substr(text.position - texts_base_, text.size);
    }

    /// Forgets the texts of answered commands once they are the larger part of texts_, so that
    /// it holds about what is in flight, and each byte moves at most once more on average.
    void drop_old_texts() {
        const std::size_t keep_from =
            in_flight_.empty() ? texts_base_ + texts_.size() : in_flight_.front().text.position;
        const std::size_t answered = keep_from - texts_base_;
        if (answered > 0 && answered * 2 >= texts_.size()) {
            texts_.erase(0, answered);
            texts_base_ = keep_from;
        }
    }

    void send_batch() {
        std::vector<std::string_view>& rest = outgoing_;
        rest.clear();
        for (const Outgoing& next : batch_) {
            rest.push_back(text_of(next.text));
            if (next.delimited) {
                rest.push_back(kDelimiter);
            }
        }
        while (!rest.empty()) {
            const std::size_t sent = client_.send_batch(rest);
            if (!client_.connected()) {
                closed();
            }
            rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(sent));
            if (!rest.empty()) {
                take_arrived();  // the client's buffer is full: make room, then send the rest
            }
        }
        batch_.clear();
    }

    /// Dispatches every response that has arrived, without waiting.
    void take_arrived() {
        bool any = false;
        while (client_.recv(line_, std::chrono::milliseconds(0))) {
            dispatch(line_);
            any = true;
        }
        if (any) {
            deadline_ = Clock::now() + timeout_;  // once for all of them: they came together
        }
        if (!client_.connected()) {
            closed();
        }
    }

    void wait_for_input_or_answer() {
        const auto timeout = in_flight_.empty() ? std::chrono::milliseconds(-1) : left_until(deadline_);
        const InputReadiness ready = wait_for_input(client_.native_handle(), timeout);
        if (ready.input) {
            source_.fill();
        } else if (!ready.socket && !in_flight_.empty() && Clock::now() >= deadline_) {
            fail_timeout();
        }
    }

    void wait_for_answer() {
        if (client_.recv(line_, left_until(deadline_))) {
            dispatch(line_);
            deadline_ = Clock::now() + timeout_;
        } else if (!client_.connected()) {
            closed();
        } else {
            fail_timeout();
        }
    }

    /// Matches one response to the command it answers. The caller moves the deadline on.
    void dispatch(const std::string& line) {
        if (in_flight_.empty()) {
            left_over(line);
        }
        InFlight& front = in_flight_.front();
        switch (front.kind) {
            case Kind::exact:
                if (line == kPong) {
                    finish_front();
                } else {
                    print(line, front);
                }
                break;
            case Kind::counted:
                print(line, front);
                if (front.lines == *rule_.responses) {
                    finish_front();
                }
                break;
        }
    }

    void print(const std::string& line, InFlight& command) {
        output_.append(line).push_back('\n');
        if (output_.size() >= kOutputChunk) {
            write_output();
        }
        ++command.lines;
        if (recording_) {
            recording_->add_response(line);
        }
    }

    /// Hands the collected output to stdout in one write (not flushed: see flush_output()).
    void write_output() {
        std::cout.write(output_.data(), static_cast<std::streamsize>(output_.size()));
        output_.clear();
    }

    /// Writes the collected output and flushes it: done whenever the session may wait, and before
    /// any message, so that a pipe or a terminal sees each answer as soon as the session waits.
    void flush_output() {
        write_output();
        std::cout.flush();
    }

    void finish_front() {
        InFlight& front = in_flight_.front();
        last_answered_.assign(text_of(front.text));
        answered_any_ = true;
        if (recording_) {
            recording_->add_step(last_answered_);
        }
        in_flight_bytes_ -= front.bytes;
        in_flight_.pop_front();
    }

    /// The end: every command is answered; what has arrived since is left over, and so is
    /// anything that arrives after the goodbye, until the server closes.
    void finish() {
        flush_output();
        if (problem_) {
            client_.disconnect(timeout_);  // frees the server's slot; the message says why, whatever this gives
            fail(kName, *problem_);
        }
        take_arrived();
        say_goodbye();
    }

    void say_goodbye() {
        goodbye_sent_ = true;
        if (client_.send(goodbye_)) {
            // Read until the server closes, so that when this returns it has acted on the goodbye;
            // anything still arriving was left over (e.g. a second `pong` that shifted the ends).
            std::optional<std::string> first_extra;
            std::size_t extras = 0;
            const Clock::time_point deadline = Clock::now() + timeout_;
            while (client_.connected()) {
                std::optional<std::string> line = client_.recv(left_until(deadline));
                if (line) {
                    extras += 1;
                    if (!first_extra) {
                        first_extra = std::move(line);
                    }
                } else if (client_.connected()) {
                    fail(kName, endpoint_.text() + " kept the connection open after '" + goodbye_ + "' for " +
                                    seconds_text(timeout_));
                }
            }
            if (first_extra) {
                left_over(*first_extra, extras);
            }
            if (recording_ && goodbye_given_) {
                recording_->add_step(goodbye_);  // answered as it should be: by the close
            }
        }
    }

    [[noreturn]] void left_over(const std::string& line, std::size_t count = 1) {
        std::string message = endpoint_.text() + " sent " +
                              (count == 1 ? std::string("a line") : std::to_string(count) + " lines") +
                              " more than expected after the answer to " +
                              (answered_any_ ? cli::quoted(last_answered_) : std::string("the handshake")) +
                              " was complete: " + cli::quoted(line);
        if (rule_.responses) {
            message += " (-n " + std::to_string(*rule_.responses) + " expects " + std::to_string(*rule_.responses) +
                       " per command)";
        } else if (line == kPong) {
            message += " (a command answered with 'pong' makes the end of its answer ambiguous; -n counts instead)";
        }
        flush_output();
        if (!goodbye_sent_) {
            client_.disconnect(timeout_);
            if (goodbye_ != "disconnect") {
                message += "; disconnected without sending '" + goodbye_ + "'";
            }
        }
        fail(kName, message);
    }

    [[noreturn]] void closed() {
        flush_output();
        if (in_flight_.empty()) {
            fail(kName, endpoint_.text() + " closed the connection" +
                            (source_done_ ? std::string() : std::string(" while the client waited for commands")));
        }
        const InFlight& front = in_flight_.front();
        fail(kName, endpoint_.text() + " closed the connection instead of answering " +
                        cli::quoted(text_of(front.text)) + lines_so_far(front));
    }

    std::string lines_so_far(const InFlight& command) const {
        if (command.kind == Kind::counted) {
            return ": " + std::to_string(command.lines) + " of the " + std::to_string(*rule_.responses) +
                   " lines expected (-n " + std::to_string(*rule_.responses) + ") came";
        }
        if (command.lines == 0) {
            return std::string();
        }
        return ": " + std::to_string(command.lines) + (command.lines == 1 ? " line" : " lines") +
               " came, and not the 'pong' (to the 'ping' sent after it) that ends them";
    }

    [[noreturn]] void fail_timeout() {
        flush_output();
        const InFlight& front = in_flight_.front();
        fail(kName, endpoint_.text() + " did not answer " + cli::quoted(text_of(front.text)) + " within " +
                        seconds_text(timeout_) + lines_so_far(front));
    }

    Client& client_;
    const Endpoint& endpoint_;
    CommandSource& source_;
    ReplyRule rule_;
    std::chrono::milliseconds timeout_;
    Window window_;

    std::deque<InFlight> in_flight_;  // sent, not yet answered in full; bounded by window_
    std::size_t in_flight_bytes_ = 0;
    bool refill_at_half_ = false;             // the window was full: wait until half of it is answered
    std::vector<Outgoing> batch_;             // to send next: only what the window admits
    std::vector<std::string_view> outgoing_;  // batch_ as send_batch() takes it
    // The texts of the commands in flight or in batch_ (and some answered ones before them), one
    // after the other in one buffer: no allocation per command. texts_base_ is the position of its
    // first byte.
    std::string texts_;
    std::size_t texts_base_ = 0;
    std::string command_;
    std::string line_;            // the response being dispatched; reused, like command_
    std::string output_;          // printed responses not yet handed to stdout
    Clock::time_point deadline_;  // for the next response, while something is in flight
    bool source_done_ = false;
    std::optional<std::string> problem_;  // why the commands could not be read to their end
    std::string goodbye_ = "disconnect";
    bool goodbye_given_ = false;  // the commands ended with goodbye_ (else it is the session's own)
    bool goodbye_sent_ = false;
    std::string last_answered_;  // the text of the last command answered in full
    bool answered_any_ = false;
    TranscriptRecording* recording_;  // null unless --record: then one test per response and per command
};

}  // namespace

void run_client_session(const std::function<Client()>& connect, const Endpoint& endpoint, const CommandInput& input,
                        const ReplyRule& rule, std::chrono::milliseconds timeout, Window window,
                        TranscriptRecording* recording) {
    CommandSource source(input);  // first: a file that cannot be opened needs no connection
    Client client = connect();
    Session(client, endpoint, source, rule, timeout, window, recording).run();
}

}  // namespace oneline::cli
