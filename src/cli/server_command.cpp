#include "cli/server_command.hpp"

#include "cli/exec_handler.hpp"
#include "cli/fault_options.hpp"
#include "cli/options.hpp"
#include "cli/quoting.hpp"
#include "cli/shell_process.hpp"
#include "cli/signal_watch.hpp"
#include "cli/stderr_logger.hpp"

#include <oneline/server.hpp>

#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <optional>
#include <string>
#include <system_error>
#include <string>
#include <thread>
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "server";

struct ServerOptions {
    Endpoint endpoint;
    bool echo = false;
    std::string exec;
    double exec_timeout_seconds = 30;
    std::string failure_response{ExecHandler::default_failure_response};
    std::size_t max_line = ServerConfig{}.max_line_length;
    double idle_timeout_seconds = 0;
    bool keep_cr = false;
    bool utf8 = false;
    int verbose = 0;  // -v: connections, errors and each command; -vv: with the time each took
    std::vector<std::string> allow;
    unsigned unix_mode = ServerConfig{}.unix_mode;
    Faults faults;
};

/// The server's `-v` lines on stderr, less the library's own "listening on"
/// line: the tool prints that one itself, first and unprefixed, for scripts.
class ServerLogger final : public Logger {
public:
    void info(std::string_view line) override {
        if (line.rfind("listening on ", 0) != 0) {
            stderr_.info(line);
        }
    }

private:
    StderrLogger stderr_{"oneline srvr: "};
};

/// The mode of --unix-mode: 1 to 4 octal digits, at most 0777; empty when `text` is one, else why not.
std::string file_mode_check(const std::string& text) {
    if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos) {
        return "'" + text + "' is not an octal file mode such as 600 or 660";
    }
    if (std::stoul(text, nullptr, 8) > 0777) {
        return "'" + text + "' has bits beyond the permissions (at most 777)";
    }
    return {};
}

unsigned parse_file_mode(const std::string& text) { return static_cast<unsigned>(std::stoul(text, nullptr, 8)); }

ServerConfig server_config(const ServerOptions& options) {
    ServerConfig config;
    config.address = options.endpoint.address;
    config.port = options.endpoint.port_number();
    config.max_line_length = options.max_line;
    config.idle_timeout = to_milliseconds(options.idle_timeout_seconds);
    config.keep_cr = options.keep_cr;
    config.decoding = options.utf8 ? Decoding::utf8 : Decoding::ascii;
    config.verbose = options.verbose > 0;
    config.allow = options.allow;
    config.unix_mode = options.unix_mode;
    config.faults = options.faults;
    config.logger = std::make_shared<ServerLogger>();
    return config;
}

/// Answers one command through `respond`; returns why the handler failed, empty when it did not.
using Handler = std::function<std::string(std::string_view command, bool is_invalid, const ExecHandler::Respond&)>;

/// The `-v` line for one command: "'caf' (invalid: undecodable bytes dropped) -> 1 response".
std::string command_log_line(std::string_view command, bool is_invalid, std::size_t responses,
                             const std::string& failure, const std::chrono::steady_clock::duration* took) {
    std::ostringstream line;
    line << printable(quoted(command));
    if (is_invalid) {
        line << " (invalid: undecodable bytes dropped)";
    }
    line << " -> " << responses << (responses == 1 ? " response" : " responses");
    if (!failure.empty()) {
        line << " (handler " << failure << ")";
    }
    if (took != nullptr) {
        line << " in " << std::fixed << std::setprecision(3) << std::chrono::duration<double, std::milli>(*took).count()
             << " ms";
    }
    return line.str();
}

/// Cancels the --exec program on every way out of run_server, an exception
/// included: the server's destructor waits for the callback, which must not
/// wait for the program until its timeout.
class CancelOnExit {
public:
    explicit CancelOnExit(ExecHandler* exec) noexcept : exec_(exec) {}
    ~CancelOnExit() {
        if (exec_ != nullptr) {
            exec_->cancel();
        }
    }
    CancelOnExit(const CancelOnExit&) = delete;
    CancelOnExit& operator=(const CancelOnExit&) = delete;

private:
    ExecHandler* exec_;
};

void run_server(const ServerOptions& options) {
    if (!options.exec.empty() && !first_word_runs(options.exec)) {
        fail(kName, "--exec: program '" + first_word(options.exec) + "' not found", exit_usage);
    }
    // Before any thread exists: on Linux every thread inherits the blocked signals.
    SignalWatch signals;

    std::unique_ptr<ExecHandler> exec;
    Handler handler;
    if (options.exec.empty()) {
        handler = [](std::string_view command, bool, const ExecHandler::Respond& respond) {
            respond(command);
            return std::string();
        };
    } else {
        exec = std::make_unique<ExecHandler>(options.exec, to_milliseconds(options.exec_timeout_seconds),
                                             options.failure_response);
        handler = [&exec](std::string_view command, bool is_invalid, const ExecHandler::Respond& respond) {
            return exec->run(command, is_invalid, respond);
        };
    }
    ServerConfig config = server_config(options);
    Server* server_for_callback = nullptr;  // set below, before the server serves
    // Every handler answers through here, so that `-v` logs each command the same way.
    const auto log = std::make_shared<StderrLogger>("oneline srvr: ");
    config.callback = [&server_for_callback, &handler, log, verbose = options.verbose](std::string_view command,
                                                                                       bool is_invalid) {
        const auto began = std::chrono::steady_clock::now();
        std::size_t responses = 0;
        const std::string failure = handler(command, is_invalid, [&](std::string_view line) {
            if (server_for_callback->send(line)) {
                ++responses;
            }
        });
        if (verbose > 0) {
            const std::chrono::steady_clock::duration took = std::chrono::steady_clock::now() - began;
            log->info(command_log_line(command, is_invalid, responses, failure, verbose > 1 ? &took : nullptr));
        }
    };
    Server server(std::move(config));
    server_for_callback = &server;
    const CancelOnExit cancel_exec(exec.get());

    try {
        server.listen();
        // First thing on stderr, flushed: scripts started with --port 0 read the port from it. One
        // "ADDRESS:PORT" per address listened on (a name may have several), all on one port.
        std::string endpoints;
        for (const std::string& endpoint : server.endpoints()) {
            endpoints += (endpoints.empty() ? "" : " ") + endpoint;
        }
        std::cerr << "listening on " << endpoints << std::endl;
        server.start();
    } catch (const Error& error) {
        // A bad --allow entry is a bad argument; the port was range-checked by the parser already.
        fail(kName, error.what(), error.code() == std::errc::invalid_argument ? exit_usage : exit_failure);
    }

    // A client's `shutdown` or a failure ends the server (seen by this thread); so does a stop request (seen by main).
    std::thread stop_watcher;
    try {
        stop_watcher = std::thread([&] {
            while (!server.wait_until_stopped(std::chrono::hours(1))) {
            }
            signals.wake();
        });
    } catch (const std::system_error& error) {
        server.stop();
        fail(kName, std::string("cannot start a thread to watch the server: ") + error.what());
    }
    using Reason = SignalWatch::Wakeup::Reason;
    const SignalWatch::Wakeup wakeup = signals.wait();
    if (wakeup.reason != Reason::woken) {  // failing to wait stops too: never leave it unstoppable
        if (options.verbose && wakeup.reason == Reason::stop_requested) {
            std::cerr << "oneline server: stopping on " << wakeup.source << std::endl;
        }
        if (exec) {
            exec->cancel();
        }
        server.stop();
    }
    stop_watcher.join();
    if (const std::optional<Error> failure = server.failure()) {
        fail(kName, std::string("serving failed: ") + failure->what());
    }
    if (wakeup.reason == Reason::failed) {
        fail(kName, "cannot wait for stop requests: " + wakeup.error.message());
    }
}

}  // namespace

void add_server_command(CLI::App& app) {
    auto options = std::make_shared<ServerOptions>();
    CLI::App* command = app.add_subcommand(
        std::string(kName), "Serve in the foreground until `shutdown` or " + std::string(SignalWatch::requests()));
    add_endpoint_options(*command, options->endpoint, PortUse::listen);
    CLI::Option* echo = command->add_flag("--echo", options->echo, "answer each command with itself; the default");
    CLI::Option* exec =
        command
            ->add_option("--exec", options->exec,
                         "run " + std::string(ShellProcess::invocation()) +
                             " per command; each line it prints is a response; "
                             "ONELINE_INVALID=1 in its environment when the command was flagged invalid")
            ->type_name("CMD")
            ->excludes(echo)
            ->check([](const std::string& text) {
                return text.find_first_not_of(" \t\n") == std::string::npos ? "CMD is empty" : std::string();
            });
    add_seconds_option(*command, "--exec-timeout", options->exec_timeout_seconds,
                       "kill an --exec program after this many seconds", false);
    command
        ->add_option("--failure-response", options->failure_response,
                     "the response when an --exec program is killed, or fails having printed nothing; "
                     "{reason} says why ('timed out after 2 s', 'exited with status 3'); '': none")
        ->type_name("TEXT")
        ->needs(exec)
        ->check(single_line_check())
        ->capture_default_str();
    command->add_option("--max-line", options->max_line, "drop a client whose command exceeds this many bytes")
        ->type_name("BYTES")
        ->check(whole_number_check(1, std::uint64_t{1} << 40, "bytes"))
        ->capture_default_str();
    add_seconds_option(*command, "--idle-timeout", options->idle_timeout_seconds,
                       "drop a client that sends nothing for this many seconds; 0: never", true);
    command->add_flag("--keep-cr", options->keep_cr, "keep a 0x0D before the 0x0A (dropped by default)");
    command
        ->add_option("--allow", options->allow,
                     "serve only peers at this IPv4/IPv6 address or in this CIDR network (repeatable; "
                     "default: every peer); others are closed at once")
        ->type_name("ADDRESS_OR_CIDR")
        ->allow_extra_args(false);
    command->add_flag("--utf8", options->utf8, "accept well-formed UTF-8 (default: any byte >= 0x80 is invalid)");
    command
        ->add_option_function<std::string>(
            "--unix-mode", [options](const std::string& text) { options->unix_mode = parse_file_mode(text); },
            "file mode of a unix:PATH socket, in octal; 600: only its owner may connect")
        ->type_name("OCTAL")
        ->check(file_mode_check)
        ->default_str("600");
    add_fault_options(*command, options->faults);
    command->add_flag("-v,--verbose", options->verbose,
                      "log connections, errors and each command with its responses on stderr; -vv: with timings");
    command->callback([options] { run_guarded(kName, [&] { run_server(*options); }); });
}

}  // namespace oneline::cli
