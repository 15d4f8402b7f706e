#include "cli/server_command.hpp"

#include "cli/exec_handler.hpp"
#include "cli/options.hpp"
#include "cli/shell_process.hpp"
#include "cli/signal_watch.hpp"
#include "cli/stderr_logger.hpp"

#include <oneline/server.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "server";

struct ServerOptions {
    Endpoint endpoint;
    bool echo = false;
    std::string exec;
    double exec_timeout_seconds = 30;
    std::size_t max_line = ServerConfig{}.max_line_length;
    double idle_timeout_seconds = 0;
    bool keep_cr = false;
    bool utf8 = false;
    bool verbose = false;
    unsigned unix_mode = ServerConfig{}.unix_mode;
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
    config.verbose = options.verbose;
    config.unix_mode = options.unix_mode;
    config.logger = std::make_shared<ServerLogger>();
    return config;
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
    ServerConfig config = server_config(options);
    Server* server_for_callback = nullptr;  // set below, before the server serves
    if (options.exec.empty()) {
        config.callback = [&server_for_callback](std::string_view command, bool) {
            server_for_callback->send(command);
        };
    } else {
        exec = std::make_unique<ExecHandler>(options.exec, to_milliseconds(options.exec_timeout_seconds));
        config.callback = [&server_for_callback, &exec](std::string_view command, bool is_invalid) {
            exec->run(command, is_invalid, [&](std::string_view line) { server_for_callback->send(line); });
        };
    }
    Server server(std::move(config));
    server_for_callback = &server;
    const CancelOnExit cancel_exec(exec.get());

    Endpoint bound = options.endpoint;
    try {
        server.listen();
        bound.port = server.port();
        // First thing on stderr, flushed: scripts started with --port 0 read the port from it.
        std::cerr << "listening on " << bound.text() << std::endl;
        server.start();
    } catch (const Error& error) {
        fail(kName, error.what());
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
    add_endpoint_options(*command, options->endpoint);
    CLI::Option* echo = command->add_flag("--echo", options->echo, "answer each command with itself (the default)");
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
    command
        ->add_option("--exec-timeout", options->exec_timeout_seconds, "kill an --exec program after this many seconds")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    command->add_option("--max-line", options->max_line, "drop a client whose command exceeds this many bytes")
        ->type_name("BYTES")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
        ->capture_default_str();
    command
        ->add_option("--idle-timeout", options->idle_timeout_seconds,
                     "drop a client that sends nothing for this many seconds (0: never)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    command->add_flag("--keep-cr", options->keep_cr, "keep a 0x0D before the 0x0A (dropped by default)");
    command->add_flag("--utf8", options->utf8, "accept well-formed UTF-8 (default: any byte >= 0x80 is invalid)");
    command
        ->add_option_function<std::string>(
            "--unix-mode", [options](const std::string& text) { options->unix_mode = parse_file_mode(text); },
            "file mode of a unix:PATH socket, in octal (default 600: only its owner may connect)")
        ->type_name("OCTAL")
        ->check(file_mode_check);
    command->add_flag("-v,--verbose", options->verbose, "log connections and errors on stderr");
    command->callback([options] { run_guarded(kName, [&] { run_server(*options); }); });
}

}  // namespace oneline::cli
