#pragma once

#include "cli/line_reader.hpp"
#include "cli/options.hpp"
#include "cli/transcript_recording.hpp"

#include <oneline/client.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace oneline::cli {

/// Where `oneline client` takes its commands from.
struct CommandInput {
    std::vector<std::string> arguments;  ///< the CMD arguments; when empty, `file` or else stdin
    std::string file;                    ///< -f PATH; empty: stdin
    std::size_t max_line = 0;            ///< the longest command accepted from stdin or the file
};

/// How `oneline client` matches responses to commands.
struct ReplyRule {
    /// Count mode (-n N): exactly this many responses per command. Unset: exact mode, where each
    /// command is followed by `ping` and the responses before its `pong` are the command's.
    std::optional<int> responses;
};

/// The in-flight bounds of the pipelined client: commands sent but not yet answered in full.
struct Window {
    std::size_t commands = 4096;
    std::size_t bytes = 1024 * 1024;
};

/// Runs `oneline client`: opens the command input, connects with `connect`, sends the commands in a bounded window
/// (pipelined: read while they go out), prints each command's responses in order on stdout, checks
/// that no line is left over, and says goodbye (`disconnect`, or the `disconnect`/`shutdown` that
/// ended the commands). Any mismatch, timeout or close ends the subcommand with exit 1 and a message.
/// With a `recording`, each command answered in full goes to it with its responses, and so does the
/// goodbye when the commands ended with one; the caller commits it once this returns.
void run_client_session(const std::function<Client()>& connect, const Endpoint& endpoint, const CommandInput& input,
                        const ReplyRule& rule, std::chrono::milliseconds timeout, Window window = {},
                        TranscriptRecording* recording = nullptr);

}  // namespace oneline::cli
