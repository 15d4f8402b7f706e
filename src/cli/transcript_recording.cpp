#include "cli/transcript_recording.hpp"

#include "cli/options.hpp"
#include "cli/quoting.hpp"

#include <oneline/transcript.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace oneline::cli {
namespace {

constexpr std::string_view kPartialSuffix = ".partial";

}  // namespace

TranscriptRecording::TranscriptRecording(Target target, const std::string& endpoint, std::string_view note,
                                         std::string_view command_name)
    : target_(std::move(target)), partial_(target_.path + std::string(kPartialSuffix)), command_name_(command_name) {
    std::error_code error;
    if (!target_.overwrite && std::filesystem::exists(std::filesystem::symlink_status(target_.path, error))) {
        fail(command_name_, "--record: '" + target_.path + "' exists; --force replaces it", exit_usage);
    }
    file_.open(partial_, std::ios::binary | std::ios::trunc);
    if (!file_) {
        fail(command_name_, "--record: cannot create '" + partial_ + "': " + std::strerror(errno));
    }
    file_ << "# recorded from " << endpoint << note << '\n';
}

TranscriptRecording::~TranscriptRecording() {
    if (!committed_) {
        file_.close();
        std::error_code ignored;  // nothing more can be done: the session's own message is what matters
        std::filesystem::remove(partial_, ignored);
    }
}

void TranscriptRecording::add_step(std::string_view command) {
    if (!command.empty() && command.back() == '\r') {
        // A CR LF line of stdin or the file: the server drops that 0x0D by default, and a transcript
        // line cannot end in one (its reader drops it too).
        command.remove_suffix(1);
    }
    try {
        file_ << write_transcript_step(command, responses_);
    } catch (const TranscriptError& error) {
        std::string message = error.what();
        const std::string prefix = error.file() + ": ";
        if (message.compare(0, prefix.size(), prefix) == 0) {
            message.erase(0, prefix.size());
        }
        fail(command_name_, "--record: " + message + " (command " + printable(quoted(command)) + ")");
    }
    responses_.clear();
    if (!file_) {
        fail_writing();
    }
}

void TranscriptRecording::commit() {
    file_.close();
    if (!file_) {
        fail_writing();
    }
    std::error_code error;
    std::filesystem::rename(partial_, target_.path, error);
    if (error) {
        fail(command_name_, "--record: cannot rename '" + partial_ + "' to '" + target_.path + "': " + error.message());
    }
    committed_ = true;
}

void TranscriptRecording::fail_writing() const { fail(command_name_, "--record: cannot write '" + partial_ + "'"); }

}  // namespace oneline::cli
