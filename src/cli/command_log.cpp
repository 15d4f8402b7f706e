#include "cli/command_log.hpp"

#include "cli/quoting.hpp"

#include <iomanip>
#include <sstream>

namespace oneline::cli {
namespace {

/// Passes each response on to the client and counts those that went out.
class CountingReply final : public Reply {
public:
    explicit CountingReply(Reply& client) : client_(client) {}

    bool send(std::string_view response) override {
        const bool sent = client_.send(response);
        sent_ += sent ? 1 : 0;
        return sent;
    }

    std::size_t sent() const noexcept { return sent_; }

private:
    Reply& client_;
    std::size_t sent_ = 0;
};

}  // namespace

std::string command_log_line(std::string_view command, bool is_invalid, std::size_t responses, std::string_view failure,
                             std::optional<std::chrono::steady_clock::duration> took) {
    std::ostringstream line;
    line << printable(quoted(command));
    if (is_invalid) {
        line << " (invalid: undecodable bytes dropped)";
    }
    line << " -> " << responses << (responses == 1 ? " response" : " responses");
    if (!failure.empty()) {
        line << " (handler " << failure << ")";
    }
    if (took) {
        line << " in " << std::fixed << std::setprecision(3) << std::chrono::duration<double, std::milli>(*took).count()
             << " ms";
    }
    return line.str();
}

void CommandLog::operator()(std::string_view command, bool is_invalid, Reply& reply) const {
    using Clock = std::chrono::steady_clock;
    const std::optional<Clock::time_point> began = timed_ ? std::optional(Clock::now()) : std::nullopt;
    CountingReply counted(reply);
    const std::string_view failure = behaviour_->answer(command, is_invalid, counted);
    const std::optional<Clock::duration> took = began ? std::optional(Clock::now() - *began) : std::nullopt;
    log_->info(command_log_line(command, is_invalid, counted.sent(), failure, took));
}

ReplyCallback serve_callback(ServerBehaviour& behaviour, int verbose) {
    if (verbose > 0) {
        return CommandLog(behaviour, verbose > 1);
    }
    return [&behaviour](std::string_view command, bool is_invalid, Reply& reply) {
        behaviour.answer(command, is_invalid, reply);
    };
}

}  // namespace oneline::cli
