#include "cli/server_command.hpp"

#include "cli/command_log.hpp"
#include "cli/device_option.hpp"
#include "cli/exec_handler.hpp"
#include "cli/handler_behaviour.hpp"
#include "cli/fault_options.hpp"
#include "cli/options.hpp"
#include "cli/replay_behaviour.hpp"
#include "cli/server_behaviour.hpp"
#include "cli/shell_process.hpp"
#include "cli/signal_watch.hpp"
#include "cli/stderr_logger.hpp"
#include "handler/handler_process.hpp"

#include <oneline/server.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "server";

struct ServerOptions {
    Endpoint endpoint;
    bool echo = false;
    std::string exec;
    std::string handler;  // --handler: one long-lived program
    std::string replay;   // --replay: a transcript
    double exec_timeout_seconds = 30;
    std::string failure_response{ExecHandler::default_failure_response};
    std::size_t max_line = ServerConfig{}.max_line_length;
    double idle_timeout_seconds = 0;
    bool keep_cr = false;
    bool utf8 = false;
    int verbose = 0;  // -v: connections, errors and each command; -vv: with the time each took
    std::vector<std::string> allow;
    unsigned unix_mode = ServerConfig{}.unix_mode;
    DeviceOptions device;
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

/// The behaviour the options choose, made once: every command goes to it.
std::unique_ptr<ServerBehaviour> make_behaviour(const ServerOptions& options) {
    if (!options.replay.empty()) {
        return replay_behaviour(options.replay, options.failure_response, kName);
    }
    if (!options.device.path.empty()) {
        return device_behaviour(options.device, kName, options.verbose > 0);
    }
    if (!options.handler.empty()) {
        return handler_behaviour(options.handler, to_milliseconds(options.exec_timeout_seconds),
                                 options.failure_response);
    }
    if (!options.exec.empty()) {
        return std::make_unique<ExecHandler>(options.exec, to_milliseconds(options.exec_timeout_seconds),
                                             options.failure_response);
    }
    return std::make_unique<EchoBehaviour>();
}

/// Cancels the behaviour on every way out of run_server, an exception
/// included: the server's destructor waits for the callback, which must not
/// wait for an --exec program until its timeout.
class CancelOnExit {
public:
    explicit CancelOnExit(ServerBehaviour& behaviour) noexcept : behaviour_(behaviour) {}
    ~CancelOnExit() { behaviour_.cancel(); }
    CancelOnExit(const CancelOnExit&) = delete;
    CancelOnExit& operator=(const CancelOnExit&) = delete;

private:
    ServerBehaviour& behaviour_;
};

void run_server(const ServerOptions& options) {
    if (!options.exec.empty() && !first_word_runs(options.exec)) {
        fail(kName, "--exec: program '" + first_word(options.exec) + "' not found", exit_usage);
    }
    // Before any thread exists: on Linux every thread inherits the blocked signals.
    SignalWatch signals;

    const std::unique_ptr<ServerBehaviour> behaviour = make_behaviour(options);
    ServerConfig config = server_config(options);
    config.reply_callback = serve_callback(*behaviour, options.verbose);
    Server server(std::move(config));
    const CancelOnExit cancel_behaviour(*behaviour);

    try {
        server.listen();
        // First thing on stderr, flushed: scripts started with --port 0 read the port from it. One
        // "ADDRESS:PORT" per address listened on (a name may have several), all on one port.
        std::string endpoints;
        for (const std::string& endpoint : server.endpoints()) {
            endpoints += (endpoints.empty() ? "" : " ") + endpoint;
        }
        std::cerr << "listening on " << endpoints << std::endl;
        behaviour->start();  // after that line: what a --handler prints on stderr must not come first
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
        behaviour->cancel();
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
    const auto not_blank = [](const std::string& text) {
        return text.find_first_not_of(" \t\n") == std::string::npos ? "CMD is empty" : std::string();
    };
    CLI::Option* echo = command->add_flag("--echo", options->echo, "answer each command with itself; the default");
    CLI::Option* exec =
        command
            ->add_option("--exec", options->exec,
                         "run " + std::string(ShellProcess::invocation()) +
                             " per command; each line it prints is a response; "
                             "ONELINE_INVALID=1 in its environment when the command was flagged invalid")
            ->type_name("CMD")
            ->excludes(echo)
            ->check(not_blank);
    CLI::Option* handler_option =
        command
            ->add_option("--handler", options->handler,
                         "start " + std::string(handler::HandlerProcess::invocation()) +
                             " once and keep it running; each command goes to its stdin as a JSON line "
                             "{\"command\": ..., \"invalid\": ...}, and it answers each with a line "
                             "{\"responses\": [...]} on its stdout, in order")
            ->type_name("CMD")
            ->excludes(echo)
            ->excludes(exec)
            ->check(not_blank);
    CLI::Option* exec_timeout = add_seconds_option(
        *command, "--exec-timeout", options->exec_timeout_seconds,
        "kill an --exec program, or a --handler silent on a command, after this many seconds; only with "
        "--exec or --handler",
        false);
    CLI::Option* failure_response =
        command
            ->add_option("--failure-response", options->failure_response,
                         "the response when an --exec program is killed, or fails having printed nothing, or "
                         "a --handler cannot answer, or --replay has no answer recorded for a command; {reason} "
                         "says why ('timed out after 2 s', 'exited with status 3', 'has no recorded answer'); "
                         "'': none; only with --exec, --handler or --replay")
            ->type_name("TEXT")
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
    CLI::Option* device = add_device_options(*command, options->device, {echo, exec, handler_option});
    command
        ->add_option("--replay", options->replay,
                     "answer each command with the responses this transcript file records for it ('> COMMAND' "
                     "then '< RESPONSE' lines, as `oneline client --record` writes them): in turn when it was "
                     "sent several times, then the last ones again; a command it lacks gets the failure response")
        ->type_name("FILE")
        ->excludes(echo)
        ->excludes(exec)
        ->excludes(handler_option)
        ->excludes(device);
    add_fault_options(*command, options->faults);
    command->add_flag("-v,--verbose", options->verbose,
                      "log connections, errors and each command with its responses on stderr; -vv: with timings");
    command->callback([options, exec_timeout, failure_response] {
        // Usage errors, as needs() makes them.
        if (exec_timeout->count() > 0 && options->exec.empty() && options->handler.empty()) {
            throw CLI::RequiresError(exec_timeout->get_name(), "--exec or --handler");
        }
        if (failure_response->count() > 0 && options->exec.empty() && options->handler.empty() &&
            options->replay.empty()) {
            throw CLI::RequiresError(failure_response->get_name(), "--exec, --handler or --replay");
        }
        run_guarded(kName, [&] { run_server(*options); });
    });
}

}  // namespace oneline::cli
