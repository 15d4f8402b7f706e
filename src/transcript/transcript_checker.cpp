// check_transcript(): a transcript's cases run against a server, pipelined, each command's answer
// fenced by a `ping` so that a missing or an extra response is caught where it happens.
#include "transcript/answer_matcher.hpp"
#include "transcript/shown_text.hpp"

#include <oneline/client.hpp>
#include <oneline/transcript.hpp>

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oneline {
namespace {

using Clock = std::chrono::steady_clock;
using transcript::AnswerMatcher;
using transcript::shown;

/// Sent after each command: the server's `pong` to it ends the command's answer.
constexpr std::string_view kFence = "ping";

bool is_goodbye(std::string_view command) { return command == "disconnect" || command == "shutdown"; }

std::chrono::milliseconds left_until(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
}

/// A command sent (or in the batch being sent) whose answer has not ended yet.
struct InFlight {
    AnswerMatcher matcher;
    std::chrono::milliseconds timeout;
    Clock::time_point sent_at;
};

/// One transcript's run: its cases in order on one connection, made again after a case lost it.
class FileCheck {
public:
    FileCheck(const Transcript& transcript, const std::function<Client()>& connect, const CheckOptions& options)
        : transcript_(transcript),
          connect_(connect),
          timeout_(options.timeout),
          window_(std::max<std::size_t>(options.window, 1)) {}

    std::vector<CaseOutcome> run() {
        outcomes_.reserve(transcript_.cases.size());
        for (const TranscriptCase& test_case : transcript_.cases) {
            outcomes_.push_back(CaseOutcome{transcript_.file, test_case.name, test_case.requirements, test_case.line,
                                            false, std::string(), 0, std::chrono::nanoseconds(0)});
        }
        for (std::size_t index = 0; index < transcript_.cases.size(); ++index) {
            const Clock::time_point began = Clock::now();
            run_case(transcript_.cases[index], outcomes_[index]);
            outcomes_[index].duration = Clock::now() - began;
        }
        if (client_ && client_->connected()) {
            say_goodbye(nullptr);  // whatever still arrives is a response too many
        }
        for (CaseOutcome& outcome : outcomes_) {
            outcome.passed = outcome.failure.empty();
        }
        return std::move(outcomes_);
    }

private:
    void run_case(const TranscriptCase& test_case, CaseOutcome& outcome) {
        current_ = &outcome;
        steps_ = &test_case.steps;
        case_line_ = test_case.line != 0 || steps_->empty() ? test_case.line : steps_->front().line;
        next_ = 0;
        paused_before_.reset();
        lost_ = false;
        if (steps_->empty() || !connected()) {
            return;
        }
        while (!lost_ && client_ && (next_ < steps_->size() || !in_flight_.empty())) {
            if (next_ < steps_->size() && start_next()) {
                continue;
            }
            wait_for_response();
        }
        if (lost_) {
            in_flight_.clear();
            client_.reset();  // closes it, sending nothing: the next case gets a new connection
        }
    }

    /// Sends what may go out now; false when a response must come first.
    bool start_next() {
        const TranscriptStep& step = (*steps_)[next_];
        const bool needs_quiet = step.pause.count() > 0 || is_goodbye(step.command);
        if (needs_quiet && !in_flight_.empty()) {
            return false;
        }
        if (step.pause.count() > 0 && paused_before_ != next_) {
            paused_before_ = next_;
            pause(step);
            return true;
        }
        if (is_goodbye(step.command)) {
            ++next_;
            say_goodbye(&step);
            return true;
        }
        if (!room()) {
            return false;
        }
        send_more();
        return true;
    }

    /// Whether more commands may go out. Once the window is full it waits until half of it is
    /// answered: refilling one command at a time would cost a write (and a server read) each.
    bool room() {
        if (in_flight_.size() >= window_) {
            refill_at_half_ = true;
        } else if (refill_at_half_ && in_flight_.size() <= window_ / 2) {
            refill_at_half_ = false;
        }
        return !refill_at_half_;
    }

    /// A connection for the current case: the last case's, or a new one when that was lost.
    /// False (the case failed) when there is none to be had.
    bool connected() {
        if (client_) {
            take_arrived();  // what came since the last case ended is late for it
            if (!client_->connected()) {
                lose(where(case_line_) + "the server closed the connection before " + shown((*steps_)[0].command) +
                     " was sent");
                client_.reset();
                return false;
            }
            return true;
        }
        if (!connect_failure_) {
            try {
                client_.emplace(connect_());
                return true;
            } catch (const std::exception& error) {
                connect_failure_ = error.what();
            }
        }
        fail(where(case_line_) + "cannot connect: " + *connect_failure_);
        return false;
    }

    void send_more() {
        const std::size_t first = next_;
        const Clock::time_point now = Clock::now();
        outgoing_.clear();
        while (next_ < steps_->size() && in_flight_.size() < window_) {
            const TranscriptStep& step = (*steps_)[next_];
            if (next_ != first && (step.pause.count() > 0 || is_goodbye(step.command))) {
                break;
            }
            in_flight_.push_back(InFlight{AnswerMatcher(step, transcript_.file), step.timeout.value_or(timeout_), now});
            outgoing_.push_back(step.command);
            outgoing_.push_back(kFence);
            ++next_;
        }
        std::size_t written = 0;
        while (written < outgoing_.size()) {
            std::size_t sent = 0;
            try {
                sent = client_->send_batch(outgoing_);
            } catch (const Error& error) {
                current_->commands += (written + 1) / 2;
                lose(where((*steps_)[first + written / 2].line) + "cannot send " +
                     shown((*steps_)[first + written / 2].command) + ": " + error.what());
                return;
            }
            written += sent;
            outgoing_.erase(outgoing_.begin(), outgoing_.begin() + static_cast<std::ptrdiff_t>(sent));
            if (!client_->connected()) {
                break;
            }
            if (!outgoing_.empty()) {
                take_arrived();  // the client's buffer is full: take what came, then send the rest
                if (lost_) {
                    break;
                }
            }
        }
        current_->commands += (written + 1) / 2;  // a command counts once it is written whole
        if (!lost_ && !client_->connected()) {
            if (written == 0) {
                lose(where((*steps_)[first].line) + "the server closed the connection before " +
                     shown((*steps_)[first].command) + " was sent");
            } else {
                closed();
            }
        }
    }

    /// Takes every response that has arrived, without waiting.
    void take_arrived() {
        bool any = false;
        while (client_->recv(line_, std::chrono::milliseconds(0))) {
            arrived(line_);
            any = true;
        }
        if (any) {
            last_arrival_ = Clock::now();
        }
        if (!client_->connected() && !in_flight_.empty()) {
            closed();
        }
    }

    void wait_for_response() {
        const InFlight& front = in_flight_.front();
        const Clock::time_point deadline = std::max(last_arrival_, front.sent_at) + front.timeout;
        if (client_->recv(line_, left_until(deadline))) {
            last_arrival_ = Clock::now();
            arrived(line_);
        } else if (!client_->connected()) {
            closed();
        } else if (Clock::now() >= deadline) {
            lose(front.matcher.cut_short("no response within " + transcript::seconds_text(front.timeout)));
        }
    }

    void arrived(const std::string& response) {
        if (in_flight_.empty()) {
            late(response);
            return;
        }
        InFlight& front = in_flight_.front();
        if (front.matcher.is_fence(response)) {
            if (std::optional<std::string> failure = front.matcher.end()) {
                fail(std::move(*failure));
            }
            last_answered_.emplace(LastAnswered{front.matcher, current_});
            in_flight_.pop_front();
        } else if (std::optional<std::string> failure = front.matcher.take(response)) {
            fail(std::move(*failure));
        }
    }

    /// A response when no command awaits one: the last command answered got one too many.
    void late(const std::string& response) {
        if (last_answered_) {
            fail(*last_answered_->outcome, last_answered_->matcher.late(response));
        } else {
            fail(where(case_line_) + "a response came before any command was sent: " + shown(response));
        }
    }

    /// `@ pause`: nothing in flight, waits the pause out; whatever comes meanwhile is late.
    void pause(const TranscriptStep& step) {
        const Clock::time_point deadline = Clock::now() + step.pause;
        while (Clock::now() < deadline) {
            if (client_->recv(line_, left_until(deadline))) {
                late(line_);
            } else if (!client_->connected()) {
                lose(where(step.line) + "the server closed the connection during the pause before " +
                     shown(step.command));
                return;
            }
        }
    }

    /// Sends `step`'s `disconnect` or `shutdown` (null: the `disconnect` that ends a file without
    /// one) and waits until the server closes the connection, as it must.
    void say_goodbye(const TranscriptStep* step) {
        const std::string_view word = step ? std::string_view(step->command) : std::string_view("disconnect");
        const std::chrono::milliseconds timeout = step ? step->timeout.value_or(timeout_) : timeout_;
        bool sent = false;
        try {
            sent = client_->send(word);
        } catch (const Error&) {
            sent = false;  // the server is gone or stuck: the close below tells
        }
        if (step != nullptr && sent) {
            ++current_->commands;
        } else if (step != nullptr) {
            lose(where(step->line) + "the server closed the connection before " + shown(step->command) + " was sent");
            return;
        }
        const Clock::time_point deadline = Clock::now() + timeout;
        while (client_->connected()) {
            if (client_->recv(line_, left_until(deadline))) {
                if (step != nullptr) {
                    fail(where(step->line) + "extra response to " + shown(word) +
                         ": expected none (the server closes the connection), got " + shown(line_));
                } else {
                    late(line_);
                }
            } else if (client_->connected() && Clock::now() >= deadline) {
                if (step != nullptr) {
                    fail(where(step->line) + "the server kept the connection open for " +
                         transcript::seconds_text(timeout) + " after " + shown(word));
                }
                break;
            }
        }
        client_.reset();
    }

    void closed() { lose(closed_message()); }

    std::string closed_message() const {
        if (!in_flight_.empty()) {
            return in_flight_.front().matcher.cut_short("the server closed the connection");
        }
        const TranscriptStep& step = (*steps_)[std::min(next_, steps_->size() - 1)];
        return where(step.line) + "the server closed the connection before " + shown(step.command) + " was sent";
    }

    /// The connection is of no more use for this case: it fails, the rest of it is not sent.
    void lose(std::string message) {
        if (lost_) {
            return;
        }
        lost_ = true;
        fail(std::move(message));
    }

    void fail(std::string message) { fail(*current_, std::move(message)); }

    /// A case ends at its first mismatch: later ones are the consequence, the first is the news.
    static void fail(CaseOutcome& outcome, std::string message) {
        if (outcome.failure.empty()) {
            outcome.failure = std::move(message);
        }
    }

    std::string where(std::size_t line) const { return transcript_.file + ":" + std::to_string(line) + ": "; }

    /// The command answered last, for a response that comes after its answer.
    struct LastAnswered {
        AnswerMatcher matcher;
        CaseOutcome* outcome;
    };

    const Transcript& transcript_;
    const std::function<Client()>& connect_;
    std::chrono::milliseconds timeout_;
    std::size_t window_;

    std::vector<CaseOutcome> outcomes_;
    std::optional<Client> client_;
    std::optional<std::string> connect_failure_;  // once connecting failed, the cases left fail with it
    CaseOutcome* current_ = nullptr;
    const std::vector<TranscriptStep>* steps_ = nullptr;
    std::size_t case_line_ = 0;                 // the current case's line for messages: its `##` or first `>`
    std::size_t next_ = 0;                      // the current case's next step to send
    std::optional<std::size_t> paused_before_;  // the step whose `@ pause` has been waited out
    bool lost_ = false;                         // the current case lost its connection
    std::deque<InFlight> in_flight_;            // bounded by window_
    bool refill_at_half_ = false;
    std::vector<std::string_view> outgoing_;  // the batch being sent: command, fence, command, ...
    std::string line_;                        // the response being taken; reused
    Clock::time_point last_arrival_{};        // when the last response came
    std::optional<LastAnswered> last_answered_;
};

}  // namespace

std::vector<CaseOutcome> check_transcript(const Transcript& transcript, const std::function<Client()>& connect,
                                          const CheckOptions& options) {
    return FileCheck(transcript, connect, options).run();
}

}  // namespace oneline
