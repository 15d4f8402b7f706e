#include "cli/replay_behaviour.hpp"

#include "cli/options.hpp"
#include "handler/failure_response.hpp"
#include "transcript/replay_table.hpp"

#include <oneline/transcript.hpp>

#include <utility>

namespace oneline::cli {
namespace {

class ReplayBehaviour final : public ServerBehaviour {
public:
    ReplayBehaviour(transcript::ReplayTable table, std::string failure_response)
        : table_(std::move(table)), failure_response_(std::move(failure_response)) {}

    std::string_view answer(std::string_view command, bool is_invalid, Reply& reply) override {
        // An invalid command lost bytes on the way in: it is not what the transcript sent.
        if (const std::vector<std::string>* responses = is_invalid ? nullptr : table_.next(command)) {
            for (const std::string& response : *responses) {
                reply.send(response);
            }
            return {};
        }
        if (!failure_response_.empty()) {
            reply.send(failure_response_);
        }
        return replay_failure_reason;
    }

private:
    transcript::ReplayTable table_;
    std::string failure_response_;  // with its {reason} filled in: the same for every command
};

}  // namespace

std::unique_ptr<ServerBehaviour> replay_behaviour(const std::string& path, const std::string& failure_response,
                                                  std::string_view command_name) {
    try {
        return std::make_unique<ReplayBehaviour>(
            transcript::ReplayTable(read_transcript(path)),
            handler::failure_response_for(failure_response, replay_failure_reason));
    } catch (const TranscriptError& error) {
        // Line 0 is the file as a whole: it could not be read (or is too large to be one).
        fail(command_name, std::string("--replay: ") + error.what(), error.line() == 0 ? exit_failure : exit_usage);
    }
}

}  // namespace oneline::cli
