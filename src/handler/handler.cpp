#include "handler/handler.hpp"

#include "handler/handler_protocol.hpp"
#include "log/message_text.hpp"

#include <oneline/errors.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace oneline::handler {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
// How long a program whose output has ended may take to exit before it is killed: its status is
// then its own, not the kill's.
constexpr std::chrono::milliseconds kEndedGrace{100};
// How many reads a look at an idle program takes at most.
constexpr int kIdleReads = 16;
// How much of a bad answer line the log shows.
constexpr std::size_t kShownBytes = 80;

using text::seconds_text;

/// `text` as a JSON string, cut to kShownBytes: printable whatever it holds.
std::string shown(std::string_view text) {
    const bool cut = text.size() > kShownBytes;
    std::string quoted =
        nlohmann::json(text.substr(0, kShownBytes)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return cut ? quoted + "..." : quoted;
}

}  // namespace

Handler::Handler(HandlerConfig config) : config_(std::move(config)), buffer_(kReadChunk, '\0') {}

Handler::~Handler() {
    if (process_) {
        process_->stop(config_.grace);
    }
}

void Handler::log(const std::string& line) const {
    if (config_.log) {
        config_.log(line);
    }
}

void Handler::start() {
    std::string why_not;
    ensure_running(why_not);
}

bool Handler::ensure_running(std::string& why_not) {
    if (process_) {
        return true;
    }
    const Clock::time_point now = Clock::now();
    if (now < next_start_) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_start_ - now);
        why_not = "is restarting (it ended " + std::to_string(ends_in_a_row_) + " times in a row; next start in " +
                  seconds_text(wait) + ")";
        return false;
    }
    try {
        auto started = std::make_unique<HandlerProcess>(config_.shell_text);
        const std::lock_guard<std::mutex> lock(mutex_);
        process_ = std::move(started);
    } catch (const Error& error) {
        why_not = std::string("could not start: ") + error.what();
        log("cannot start it: " + std::string(error.what()));
        note_end();
        return false;
    }
    ++generation_;
    ++starts_;
    return true;
}

void Handler::note_end() {
    ++ends_in_a_row_;
    std::chrono::milliseconds delay{0};
    if (ends_in_a_row_ > 1) {
        delay = config_.first_backoff;
        for (unsigned doubling = 2; doubling < ends_in_a_row_ && delay < config_.max_backoff; ++doubling) {
            delay *= 2;
        }
        delay = std::min(delay, config_.max_backoff);
        log("it ended " + std::to_string(ends_in_a_row_) + " times in a row: the next start waits " +
            seconds_text(delay));
    }
    next_start_ = Clock::now() + delay;
}

void Handler::end_process(const std::string& reason, std::chrono::milliseconds grace) {
    std::unique_ptr<HandlerProcess> ended;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        ended = std::move(process_);
    }
    const HandlerProcess::Exit exit = ended->stop(grace);
    const std::string failure = reason.empty() ? exit.description : reason;
    std::size_t unanswered = 0;
    for (Entry& entry : queue_) {
        if (!entry.decided && entry.generation == generation_) {
            entry.decided = true;
            entry.failure = failure;
            ++unanswered;
        }
    }
    to_write_.clear();
    partial_.clear();
    lines_.clear();
    skipping_ = false;
    const std::string left = unanswered == 0   ? "while no command waited"
                             : unanswered == 1 ? "with 1 command unanswered"
                                               : "with " + std::to_string(unanswered) + " commands unanswered";
    log("it " + failure + (reason.empty() ? "" : " (" + exit.description + ")") + " " + left +
        "; it starts again at the next command");
    note_end();
}

void Handler::drop_idle_output() {
    // Nothing is in flight: a line now answers no command, and an end is noticed before a command is lost to it.
    // Bounded, so that a program printing without end cannot hold the next command up.
    std::size_t dropped = lines_.size();  // read with the last answer
    std::string first_dropped = lines_.empty() ? std::string() : shown(lines_.front().text);
    lines_.clear();
    for (int reads = 0; reads < kIdleReads; ++reads) {
        const HandlerProcess::Progress progress =
            process_->exchange(to_write_, buffer_.data(), buffer_.size(), Clock::now());
        if (progress.kind == HandlerProcess::Progress::Kind::output) {
            feed(std::string_view(buffer_.data(), progress.size));
            if (dropped == 0 && !lines_.empty()) {
                first_dropped = shown(lines_.front().text);
            }
            dropped += lines_.size();
            lines_.clear();
            continue;
        }
        if (progress.kind == HandlerProcess::Progress::Kind::ended) {
            end_process({}, kEndedGrace);
        } else if (progress.kind == HandlerProcess::Progress::Kind::failed) {
            process_->kill();
            end_process("could not be waited for: " + progress.error.message(), std::chrono::milliseconds(0));
        }
        break;
    }
    if (dropped > 0) {
        log("printed " + std::to_string(dropped) + (dropped == 1 ? " line" : " lines") +
            " no command asked for, dropped; the first: " + first_dropped);
    }
}

void Handler::submit(std::string_view command, bool is_invalid) {
    Entry entry;
    entry.submitted = Clock::now();
    bool cancelled = false;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        cancelled = cancelled_;
    }
    if (cancelled) {
        entry.decided = entry.quiet = true;
        entry.failure = "was not asked: the server is stopping";
    } else {
        if (process_ && queue_.empty()) {
            drop_idle_output();
        }
        std::string why_not;
        if (ensure_running(why_not)) {
            entry.generation = generation_;
            append_request(to_write_, command, is_invalid);
        } else {
            entry.decided = true;
            entry.failure = std::move(why_not);
        }
    }
    queue_.push_back(std::move(entry));
}

void Handler::feed(std::string_view bytes) {
    for (std::size_t end = bytes.find('\n'); end != std::string_view::npos; end = bytes.find('\n')) {
        if (skipping_) {
            lines_.push_back({std::string(), true});
            skipping_ = false;
        } else if (partial_.size() + end > config_.max_answer_length) {
            lines_.push_back({std::string(), true});
            partial_.clear();
        } else {
            partial_.append(bytes.substr(0, end));
            lines_.push_back({std::move(partial_), false});
            partial_.clear();
        }
        bytes.remove_prefix(end + 1);
    }
    if (!skipping_ && partial_.size() + bytes.size() > config_.max_answer_length) {
        skipping_ = true;  // memory stays bounded: the rest of this line is not kept
        partial_.clear();
        partial_.shrink_to_fit();
    } else if (!skipping_) {
        partial_.append(bytes);
    }
}

std::string Handler::finish(const Entry& entry, const std::string& failure, const Respond& respond) {
    if (!failure.empty() && !entry.quiet && !config_.failure_response.empty()) {
        respond(failure_response_for(config_.failure_response, failure));
    }
    queue_.pop_front();
    return failure;
}

std::string Handler::collect(const Respond& respond) {
    using Kind = HandlerProcess::Progress::Kind;
    if (queue_.empty()) {
        throw std::logic_error("Handler::collect: no command was submitted");
    }
    const Entry& head = queue_.front();
    const net::Deadline deadline = net::later(std::max(head.submitted, last_answer_), config_.timeout);
    for (;;) {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (cancelled_) {  // whatever happened to the program since: the client gets no failure response
                for (Entry& entry : queue_) {
                    entry.quiet = true;
                }
            }
        }
        if (head.decided) {
            const std::string failure = head.failure;
            return finish(head, failure, respond);
        }
        if (!lines_.empty()) {
            const Line line = std::move(lines_.front());
            lines_.pop_front();
            last_answer_ = Clock::now();
            if (line.too_long) {
                const std::string failure =
                    "answered with a line longer than " + std::to_string(config_.max_answer_length) + " bytes";
                log(failure);
                return finish(head, failure, respond);
            }
            const std::string problem = parse_answer(line.text, config_.max_responses, responses_);
            if (!problem.empty()) {
                log("answered with a bad line (" + problem + "): " + shown(line.text));
                return finish(head, "answered with a bad line (" + problem + ")", respond);
            }
            ends_in_a_row_ = 0;
            queue_.pop_front();
            for (const std::string& response : responses_) {
                respond(response);
            }
            return {};
        }
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (cancelled_) {
                for (Entry& entry : queue_) {
                    entry.decided = true;
                    entry.failure = "was stopped: the server is stopping";
                }
                continue;
            }
            waiting_ = true;
        }
        const HandlerProcess::Progress progress =
            process_->exchange(to_write_, buffer_.data(), buffer_.size(), deadline);
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            waiting_ = false;
        }
        switch (progress.kind) {
            case Kind::output: feed(std::string_view(buffer_.data(), progress.size)); break;
            case Kind::ended: end_process({}, kEndedGrace); break;
            case Kind::timed_out:
                process_->kill();
                end_process("timed out after " + seconds_text(config_.timeout), std::chrono::milliseconds(0));
                break;
            case Kind::failed:
                process_->kill();
                end_process("could not be waited for: " + progress.error.message(), std::chrono::milliseconds(0));
                break;
        }
    }
}

std::string Handler::answer(std::string_view command, bool is_invalid, const Respond& respond) {
    submit(command, is_invalid);
    return collect(respond);
}

void Handler::cancel() noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
    if (waiting_ && process_) {
        process_->kill();
    }
}

}  // namespace oneline::handler
