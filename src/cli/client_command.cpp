#include "cli/client_command.hpp"

#include "cli/client_session.hpp"
#include "cli/connection.hpp"
#include "cli/interactive_prompt.hpp"
#include "cli/options.hpp"
#include "cli/quoting.hpp"
#include "cli/line_editor.hpp"

#include <oneline/server.hpp>

#include <memory>
#include <string>
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "client";

struct ClientOptions {
    Endpoint endpoint;
    double timeout_seconds = 5;
    double wait_seconds = 0;
    int responses = -1;                                     // -1: exact mode (no -n)
    std::size_t max_line = ServerConfig{}.max_line_length;  // what a server with the defaults accepts
    std::string file;
    TranscriptRecording::Target record;  // --record FILE, --force; empty path: no recording
    bool verbose = false;
    std::vector<std::string> commands;
};

bool is_goodbye(std::string_view command) { return command == "disconnect" || command == "shutdown"; }

void check_arguments(const std::vector<std::string>& commands) {
    for (std::size_t i = 0; i < commands.size(); ++i) {
        if (commands[i].find('\n') != std::string::npos) {
            fail(kName, "a command cannot contain a line feed (0x0A ends a command)", exit_usage);
        }
        if (is_goodbye(commands[i]) && i + 1 < commands.size()) {
            fail(kName,
                 cli::quoted(commands[i + 1]) + " comes after " + cli::quoted(commands[i]) +
                     " and would never be answered",
                 exit_usage);
        }
    }
}

void run_client(const ClientOptions& options) {
    check_arguments(options.commands);
    const auto timeout = to_milliseconds(options.timeout_seconds);
    if (options.commands.empty() && options.file.empty() && options.record.path.empty() &&
        standard_streams_are_terminals()) {
        // Typed by hand: a prompt. A recording reads the terminal line by line instead, for its
        // answers to be attributed exactly.
        run_prompt(kName, {options.endpoint, timeout, options.max_line, options.verbose,
                           to_milliseconds(options.wait_seconds)});
        return;
    }
    CommandInput input{options.commands, options.file, options.max_line};
    ReplyRule rule;
    if (options.responses >= 0) {
        rule.responses = options.responses;
    }
    const auto connect = [&] {
        return connect_or_fail(kName, options.endpoint, timeout, options.verbose,
                               to_milliseconds(options.wait_seconds));
    };
    if (options.record.path.empty()) {
        run_client_session(connect, options.endpoint, input, rule, timeout);
        return;
    }
    const std::string note = rule.responses ? " with -n " + std::to_string(*rule.responses) : std::string();
    TranscriptRecording recording(options.record, options.endpoint.text(), note, kName);
    run_client_session(connect, options.endpoint, input, rule, timeout, Window{}, &recording);
    recording.commit();
}

}  // namespace

void add_client_command(CLI::App& app) {
    auto options = std::make_shared<ClientOptions>();
    CLI::App* command = app.add_subcommand(std::string(kName), "Send commands and print the responses, one per line");
    add_endpoint_options(*command, options->endpoint, PortUse::connect);
    add_timeout_option(*command, options->timeout_seconds,
                       "seconds to wait for the connection, for each response and for the server to close");
    add_wait_option(*command, options->wait_seconds);
    command
        ->add_option("-n,--responses", options->responses,
                     "count mode: exactly this many responses per command, none after disconnect and shutdown "
                     "(default: each command is followed by `ping`, and the responses before its `pong` are the "
                     "command's)")
        ->type_name("RESPONSES")
        ->check(whole_number_check(0, 1'000'000, "responses"));
    command
        ->add_option("--max-line", options->max_line,
                     "refuse a command on stdin or in the file longer than this many bytes: exit 1")
        ->type_name("BYTES")
        ->check(whole_number_check(1, std::uint64_t{1} << 40, "bytes"))
        ->capture_default_str();
    CLI::Option* file =
        command->add_option("-f,--file", options->file, "read the commands from this file, one per line")
            ->type_name("PATH");
    CLI::Option* record =
        command
            ->add_option("--record", options->record.path,
                         "write the session to this file as a transcript, '> COMMAND' then '< RESPONSE' for each "
                         "of its responses, for `oneline check` and `oneline server --replay`; it appears only "
                         "when the session succeeds; an existing file is refused unless --force")
            ->type_name("FILE");
    command->add_flag("--force", options->record.overwrite, "let --record replace an existing file")->needs(record);
    command->add_flag("-v,--verbose", options->verbose, "log the connection on stderr");
    command->add_option("CMD", options->commands, "commands to send; without any, one per line from stdin")
        ->type_name("")
        ->excludes(file);
    command->callback([options] { run_guarded(kName, [&] { run_client(*options); }); });
}

}  // namespace oneline::cli
