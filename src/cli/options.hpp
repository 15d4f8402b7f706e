#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace oneline::cli {

/// The tool's exit codes, the contract scripts rely on.
enum ExitCode : int {
    exit_ok = 0,       ///< success
    exit_failure = 1,  ///< the server was absent, busy, closed the connection or too slow; setup failed
    exit_usage = 2,    ///< bad arguments (CLI11's message)
};

/// Where a server listens or a client connects.
struct Endpoint {
    std::string address = "127.0.0.1";
    int port = 5001;

    /// "address:port", with brackets around an IPv6 literal: "[::1]:5001"; "unix:PATH" as it is.
    std::string text() const;
    /// The port as the library takes it (CLI::Range has checked it fits).
    std::uint16_t port_number() const { return static_cast<std::uint16_t>(port); }
};

/// Adds `-a,--address` and `-p,--port` (0..65535) to `command`, stored in `endpoint`.
void add_endpoint_options(CLI::App& command, Endpoint& endpoint);

/// Adds `-t,--timeout SECONDS` (> 0) to `command`, stored in `seconds`.
void add_timeout_option(CLI::App& command, double& seconds);

/// Seconds given on the command line as milliseconds, rounded up so that a
/// tiny positive value never becomes zero.
std::chrono::milliseconds to_milliseconds(double seconds);

/// Prints "oneline COMMAND: MESSAGE" on stderr and ends the subcommand with
/// `code` (CLI::RuntimeError carries it to main). Never returns.
[[noreturn]] void fail(std::string_view command, std::string_view message, ExitCode code = exit_failure);

/// Runs `body`, the work of subcommand `command`. Any exception it lets out,
/// std::bad_alloc included, ends `command` with exit 1 and one line saying
/// why (see fail()); the exit of fail() itself passes through unchanged.
void run_guarded(std::string_view command, const std::function<void()>& body);

}  // namespace oneline::cli
