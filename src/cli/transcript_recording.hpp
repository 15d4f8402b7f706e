#pragma once

// `oneline client --record FILE`: the session written as a transcript (see <oneline/transcript.hpp>).
// The lines go to FILE.partial while the session runs; FILE appears, whole, only when it succeeds.

#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::cli {

class TranscriptRecording {
public:
    /// What a recording is asked for.
    struct Target {
        std::string path;        ///< FILE
        bool overwrite = false;  ///< --force: an existing FILE is replaced
    };

    /// Refuses an existing FILE unless `target.overwrite` (exit 2), then creates FILE.partial and
    /// writes the header comment, `# recorded from ENDPOINT` plus `note` (exit 1 when it cannot).
    /// Ends `command_name` through fail() on either.
    TranscriptRecording(Target target, const std::string& endpoint, std::string_view note,
                        std::string_view command_name);
    /// Removes FILE.partial unless commit() renamed it: a failed session leaves no transcript.
    ~TranscriptRecording();

    /// One more response to the command being answered.
    void add_response(std::string_view response) { responses_.emplace_back(response); }
    /// Writes `command` with the responses added since the last step: its `>` and `<` lines.
    void add_step(std::string_view command);
    /// Closes FILE.partial and renames it to FILE (exit 1 when either fails).
    void commit();

    TranscriptRecording(const TranscriptRecording&) = delete;
    TranscriptRecording& operator=(const TranscriptRecording&) = delete;

private:
    [[noreturn]] void fail_writing() const;

    Target target_;
    std::string partial_;  // FILE.partial: beside FILE, so that the rename stays on one file system
    std::string_view command_name_;
    std::ofstream file_;
    std::vector<std::string> responses_;
    bool committed_ = false;
};

}  // namespace oneline::cli
