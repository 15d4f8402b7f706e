#include "cli/exec_handler.hpp"

#include "cli/program_lookup.hpp"
#include "cli/quoting.hpp"
#include "cli/shell_process.hpp"
#include "handler/failure_response.hpp"
#include "net/deadline.hpp"

#include <oneline/errors.hpp>

#include <iostream>
#include <optional>
#include <sstream>

namespace oneline::cli {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

void report(std::string_view message) { std::cerr << "oneline server: --exec: " << message << std::endl; }

/// Splits the program's output into lines and hands each one on; drops one 0x0D before each 0x0A
/// where that is how programs end their lines (`drop_cr`).
class LineSplitter {
public:
    LineSplitter(const ExecHandler::Respond& respond, bool drop_cr) : respond_(respond), drop_cr_(drop_cr) {}

    void feed(std::string_view bytes) {
        total_ += bytes.size();
        for (std::size_t end = bytes.find('\n'); end != std::string_view::npos; end = bytes.find('\n')) {
            partial_.append(bytes.substr(0, end));
            if (drop_cr_ && !partial_.empty() && partial_.back() == '\r') {
                partial_.pop_back();
            }
            respond_(partial_);
            partial_.clear();
            bytes.remove_prefix(end + 1);
        }
        partial_.append(bytes);
    }

    void finish() {
        if (!partial_.empty()) {
            respond_(partial_);
            partial_.clear();
        }
    }

    std::size_t total() const noexcept { return total_; }

private:
    const ExecHandler::Respond& respond_;
    bool drop_cr_;
    std::string partial_;
    std::size_t total_ = 0;
};

/// Makes a run's program reachable by cancel() for as long as it lives.
class RunningProgram {
public:
    RunningProgram(std::mutex& mutex, ShellProcess*& running, ShellProcess& program)
        : mutex_(mutex), running_(running) {
        running_ = &program;  // the caller holds the lock
    }
    ~RunningProgram() {
        const std::lock_guard<std::mutex> lock(mutex_);
        running_ = nullptr;
    }
    RunningProgram(const RunningProgram&) = delete;
    RunningProgram& operator=(const RunningProgram&) = delete;

private:
    std::mutex& mutex_;
    ShellProcess*& running_;
};

}  // namespace

ExecHandler::ExecHandler(std::string shell_text, std::chrono::milliseconds timeout, std::string failure_response)
    : shell_text_(std::move(shell_text)), timeout_(timeout), failure_response_(std::move(failure_response)) {}

void ExecHandler::respond_failure(const std::string& reason, const Respond& respond) const {
    if (!failure_response_.empty()) {
        respond(handler::failure_response_for(failure_response_, reason));
    }
}

std::string_view ExecHandler::answer(std::string_view command, bool is_invalid, Reply& reply) {
    last_failure_ = run(command, is_invalid, [&reply](std::string_view line) { reply.send(line); });
    return last_failure_;
}

void ExecHandler::cancel() noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
    if (running_ != nullptr) {
        running_->kill();
    }
}

bool ExecHandler::cancelled() noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_;
}

std::string ExecHandler::run(std::string_view command, bool is_invalid, const Respond& respond) {
    const std::string shown = quoted(command);
    std::optional<ShellProcess> program;
    std::optional<RunningProgram> reachable;  // after `program`: out of cancel()'s reach before it is cleaned up
    std::string start_failure;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (cancelled_) {
            return "was not run: the server is stopping";
        }
        try {
            program.emplace(shell_text_, std::string(command), is_invalid);
            reachable.emplace(mutex_, running_, *program);
        } catch (const Error& error) {
            report("cannot start the program for " + shown + ": " + error.what());
            start_failure = std::string("could not start: ") + error.what();
        }
    }
    if (!start_failure.empty()) {
        respond_failure(start_failure, respond);  // outside the lock: sending may block, cancel() must not
        return start_failure;
    }

    LineSplitter lines(respond, ShellProcess::lines_end_in_crlf());
    std::string buffer(kReadChunk, '\0');
    const net::Deadline deadline = net::deadline_after(timeout_);
    std::string kill_reason;  // for the server's stderr
    std::string failure;      // for the client and the log
    bool printed = false;
    for (bool running = true; running && kill_reason.empty();) {
        const ShellProcess::Progress progress = program->read_output(buffer.data(), buffer.size(), deadline);
        switch (progress.kind) {
            case ShellProcess::Progress::Kind::output:
                printed = printed || progress.size > 0;
                lines.feed(std::string_view(buffer.data(), progress.size));
                if (lines.total() > output_limit) {
                    kill_reason = "it printed more than " + std::to_string(output_limit) + " bytes";
                    failure = "printed more than " + std::to_string(output_limit) + " bytes";
                }
                break;
            case ShellProcess::Progress::Kind::exited: running = false; break;
            case ShellProcess::Progress::Kind::timed_out:
                kill_reason = "it took longer than " + duration_text(timeout_);
                failure = "timed out after " + duration_text(timeout_);
                break;
            case ShellProcess::Progress::Kind::failed:
                kill_reason = "waiting for it failed: " + progress.error.message();
                failure = "could not be waited for: " + progress.error.message();
                break;
        }
    }
    const bool stopping = cancelled();
    if (stopping) {
        kill_reason = "the server is stopping";  // cancel() has killed it, whatever the loop saw
        failure = "was stopped: the server is stopping";
    }
    if (!kill_reason.empty()) {
        program->kill();
    }
    reachable.reset();  // it has exited or is killed: from here on it is cleaned up, which cancel() must not race
    const ShellProcess::Exit exit = program->wait();
    lines.finish();
    if (!kill_reason.empty()) {
        report("killed the program for " + shown + ": " + kill_reason);
        if (!stopping) {
            respond_failure(failure, respond);  // after its lines: the client learns they were cut short
        }
    } else if (!exit.success) {
        report("the program for " + shown + " " + exit.description);
        failure = exit.description;
        if (!printed) {
            respond_failure(failure, respond);  // instead of a silence the client would wait out
        }
    }
    return failure;
}

std::string first_word(const std::string& shell_text) {
    const std::size_t begin = shell_text.find_first_not_of(" \t\n");
    if (begin == std::string::npos) {
        return {};
    }
    return shell_text.substr(begin, shell_text.find_first_of(" \t\n;&|<>()", begin) - begin);
}

bool first_word_runs(const std::string& shell_text) { return shell_may_find(first_word(shell_text)); }

std::string duration_text(std::chrono::milliseconds duration) {
    std::ostringstream text;
    text << static_cast<double>(duration.count()) / 1000.0 << " s";
    return text.str();
}

}  // namespace oneline::cli
