#include "cli/client_command.hpp"

#include "cli/connection.hpp"
#include "cli/interactive_prompt.hpp"
#include "cli/line_reader.hpp"
#include "cli/options.hpp"
#include "cli/standard_input.hpp"

#include <oneline/server.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "client";

struct ClientOptions {
    Endpoint endpoint;
    double timeout_seconds = 5;
    int responses = 1;
    std::size_t max_line = ServerConfig{}.max_line_length;  // what a server with the defaults accepts
    bool verbose = false;
    std::vector<std::string> commands;
};

bool is_goodbye(std::string_view command) { return command == "disconnect" || command == "shutdown"; }

/// The commands to send: the arguments, or else stdin one line at a time.
class CommandSource {
public:
    CommandSource(const std::vector<std::string>& arguments, std::size_t max_line)
        : arguments_(arguments), stdin_(read_standard_input, max_line) {}

    LineReader::Result next(std::string& command) {
        if (arguments_.empty()) {
            return stdin_.next(command);
        }
        if (next_argument_ == arguments_.size()) {
            return LineReader::Result::end;
        }
        command = arguments_[next_argument_++];
        return LineReader::Result::line;
    }

    /// Why next() returned LineReader::Result::failed.
    const std::error_code& error() const noexcept { return stdin_.error(); }

private:
    const std::vector<std::string>& arguments_;
    std::size_t next_argument_ = 0;
    LineReader stdin_;
};

void check_arguments(const std::vector<std::string>& commands) {
    for (std::size_t i = 0; i < commands.size(); ++i) {
        if (commands[i].find('\n') != std::string::npos) {
            fail(kName, "a command cannot contain a line feed (0x0A ends a command)", exit_usage);
        }
        if (is_goodbye(commands[i]) && i + 1 < commands.size()) {
            fail(kName, "'" + commands[i + 1] + "' comes after '" + commands[i] + "' and would never be answered",
                 exit_usage);
        }
    }
}

// Why stdin cannot give the next command, for a result other than a line or the end.
std::string stdin_problem(LineReader::Result result, std::size_t max_line, const std::error_code& read_error) {
    if (result == LineReader::Result::too_long) {
        return "a command on stdin is longer than " + std::to_string(max_line) + " bytes (--max-line)";
    }
    return "cannot read stdin: " + read_error.message();
}

void run_client(const ClientOptions& options) {
    check_arguments(options.commands);
    const auto timeout = to_milliseconds(options.timeout_seconds);
    if (options.commands.empty() && standard_streams_are_terminals()) {  // typed by hand: a prompt
        run_prompt(kName, {options.endpoint, timeout, options.max_line, options.verbose});
        return;
    }
    Client client = connect_or_fail(kName, options.endpoint, timeout, options.verbose);
    CommandSource source(options.commands, options.max_line);
    std::string command;
    for (;;) {
        const LineReader::Result result = source.next(command);
        if (result == LineReader::Result::end) {
            break;
        }
        if (result != LineReader::Result::line) {
            const std::error_code read_error = source.error();
            client.disconnect(timeout);  // frees the server's slot; the message says why, whatever this gives
            fail(kName, stdin_problem(result, options.max_line, read_error));
        }
        if (is_goodbye(command)) {
            std::cout << std::flush;
            say_goodbye(kName, client, options.endpoint, timeout, command);
            return;  // stdin is not read further: there is no one left to send to
        }
        send_or_fail(kName, client, options.endpoint, command);
        for (int i = 0; i < options.responses; ++i) {
            std::cout << receive_or_fail(kName, client, options.endpoint, timeout, command) << '\n';
        }
        std::cout << std::flush;  // answers show up at once in a pipe or by hand
    }
    say_goodbye(kName, client, options.endpoint, timeout, "disconnect");
}

}  // namespace

void add_client_command(CLI::App& app) {
    auto options = std::make_shared<ClientOptions>();
    CLI::App* command = app.add_subcommand(std::string(kName), "Send commands and print the responses, one per line");
    add_endpoint_options(*command, options->endpoint);
    add_timeout_option(*command, options->timeout_seconds);
    command
        ->add_option("-n,--responses", options->responses,
                     "responses to read per command (none after disconnect and shutdown)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    command
        ->add_option("--max-line", options->max_line, "refuse a command on stdin longer than this many bytes (exit 1)")
        ->type_name("BYTES")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
        ->capture_default_str();
    command->add_flag("-v,--verbose", options->verbose, "log the connection on stderr");
    command->add_option("CMD", options->commands, "commands to send; without any, one per line from stdin");
    command->callback([options] { run_guarded(kName, [&] { run_client(*options); }); });
}

}  // namespace oneline::cli
