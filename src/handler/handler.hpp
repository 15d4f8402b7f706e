#pragma once

#include "handler/failure_response.hpp"
#include "handler/handler_process.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::handler {

/// Everything a Handler is configured with; only `shell_text` is required.
struct HandlerConfig {
    /// CMD: run once by the platform's shell (see HandlerProcess) and kept running.
    std::string shell_text;
    /// A command whose answer has not come this long after it was written (or after the answer
    /// before it, when commands were written ahead) gets the failure response, and the program is
    /// killed and started again for the next command.
    std::chrono::milliseconds timeout{30000};
    /// The line a client gets for a command the program could not answer, `{reason}` replaced by
    /// why ("exited with status 3"); empty: none is sent.
    std::string failure_response{default_failure_response};
    /// The longest answer line taken from the program (bytes, before its 0x0A); a longer one is
    /// skipped up to its 0x0A and that command gets the failure response.
    std::size_t max_answer_length = 16 * 1024 * 1024;
    /// The most responses one answer may hold; more is a bad answer.
    std::size_t max_responses = 100000;
    /// How long the program may take to end by itself once its stdin is closed (the Handler is
    /// destroyed), before it is killed.
    std::chrono::milliseconds grace = HandlerProcess::default_grace;
    /// After the program ends (exits, is killed) it is started again at the next command, at once
    /// the first time; when it ends again without having answered a command in between, the next
    /// start waits this long, doubling each time up to `max_backoff`. Commands meanwhile get the
    /// failure response at once.
    std::chrono::milliseconds first_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    /// Receives a line for each failure (a start that failed, an end, a kill, a bad answer); null: none.
    std::function<void(std::string_view line)> log;
};

/// Answers commands through one long-lived handler program (`oneline server --handler CMD`), in
/// JSON Lines: each command goes to its stdin as `{"command": "...", "invalid": false}`, and each
/// answer comes back from its stdout, in order, as `{"responses": ["...", ...]}`.
///
/// Commands may be written ahead: submit() queues a command and collect() hands over the answer
/// to the oldest one not yet collected, writing the queued commands while it waits. answer() does
/// both for one command. Not thread-safe, but for cancel(). The destructor closes the program's
/// stdin, gives it `grace` to end, then kills it: nothing is left running.
class Handler {
public:
    /// Called with each response line of an answer (without 0x0A).
    using Respond = std::function<void(std::string_view response)>;

    explicit Handler(HandlerConfig config);
    ~Handler();
    Handler(const Handler&) = delete;
    Handler& operator=(const Handler&) = delete;

    /// Starts the program now rather than at the first command. A failure to start is logged and
    /// the start is tried again at the first command; never throws for it.
    void start();

    /// Queues `command` for the program (flagged `is_invalid`); never blocks. When the program
    /// is not running and may not be started yet (backoff, a failed start, cancel()), the
    /// command's failure is decided at once and collect() reports it.
    void submit(std::string_view command, bool is_invalid);

    /// Blocks until the oldest command submitted and not yet collected is answered, and passes
    /// its responses to `respond`, or the failure response when it could not be answered (the
    /// program ended, was silent past the timeout, sent a bad line). Returns why it failed
    /// ("exited with status 3"), empty when it was answered. Throws std::logic_error when
    /// nothing is submitted.
    std::string collect(const Respond& respond);

    /// submit() and collect() for one command.
    std::string answer(std::string_view command, bool is_invalid, const Respond& respond);

    /// Commands submitted and not yet collected.
    std::size_t pending() const noexcept { return queue_.size(); }

    /// How many times the program was started (successfully) so far.
    std::uint64_t starts() const noexcept { return starts_; }

    /// Kills the program when a collect() waits for it, and makes every later command fail at
    /// once without a failure response, so that stopping the server stays prompt. Safe from any
    /// thread.
    void cancel() noexcept;

private:
    /// A command submitted and not yet collected.
    struct Entry {
        std::uint64_t generation = 0;  // the program it went to
        std::chrono::steady_clock::time_point submitted;
        bool decided = false;  // its failure is known without an answer
        bool quiet = false;    // ... and gets no failure response (the server is stopping)
        std::string failure;
    };
    struct Line {
        std::string text;
        bool too_long = false;  // skipped: longer than max_answer_length
    };

    bool ensure_running(std::string& why_not);
    void drop_idle_output();
    void feed(std::string_view bytes);
    void end_process(const std::string& reason, std::chrono::milliseconds grace);
    void note_end();
    std::string finish(const Entry& entry, const std::string& failure, const Respond& respond);
    void log(const std::string& line) const;

    HandlerConfig config_;
    std::deque<Entry> queue_;
    std::unique_ptr<HandlerProcess> process_;  // the running program; null when it is not
    std::uint64_t generation_ = 0;             // counts starts: which program an entry went to
    std::uint64_t starts_ = 0;
    std::string to_write_;                // requests not yet written to the program
    std::string partial_;                 // the start of an answer line
    bool skipping_ = false;               // inside a line longer than the limit, until its 0x0A
    std::deque<Line> lines_;              // answer lines not yet taken
    std::vector<std::string> responses_;  // the answer being handed over; kept for its capacity
    std::string buffer_;                  // for reading the program's output
    std::chrono::steady_clock::time_point last_answer_{};
    unsigned ends_in_a_row_ = 0;  // ends without an answered command between them
    std::chrono::steady_clock::time_point next_start_{};

    std::mutex mutex_;  // guards the two below and process_'s replacement, between collect() and cancel()
    bool cancelled_ = false;
    bool waiting_ = false;  // collect() waits on the program
};

}  // namespace oneline::handler
