#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace oneline::cli {

/// The tool's exit codes, the contract scripts rely on.
enum ExitCode : int {
    exit_ok = 0,       ///< success
    exit_failure = 1,  ///< the server was absent, busy, closed the connection or too slow; setup failed
    exit_usage = 2,    ///< bad arguments: one line naming the option and what it takes (see usage.hpp)
};

/// What a port is for: a server may listen on 0 (the system picks a free port), a client cannot connect to it.
enum class PortUse { listen, connect };

/// Where a server listens or a client connects.
struct Endpoint {
    std::string address = "127.0.0.1";
    int port = 5001;

    /// "address:port", with brackets around an IPv6 literal, given bracketed or not: "[::1]:5001";
    /// "unix:PATH" as it is.
    std::string text() const;
    /// The address without the brackets of a bracketed IPv6 literal ("[::1]" -> "::1").
    std::string host() const;
    /// The port as the library takes it (port_check() has checked it fits).
    std::uint16_t port_number() const { return static_cast<std::uint16_t>(port); }
};

/// `text` as a whole number, or nothing when it is not only decimal digits or does not fit.
std::optional<std::uint64_t> parse_whole_number(const std::string& text);
/// `text` as a finite number without a sign ("2", "0.5", "1e3"), or nothing.
std::optional<double> parse_unsigned_number(const std::string& text);

// Validators. Each one checks the text of a value before CLI11 converts it, so a bad value is refused
// with one short sentence ("'0' is not a number of seconds > 0") instead of a conversion error, and
// its description ("> 0", "1..65535") is what --help shows of the rule (see usage.hpp).

/// A number of seconds: finite, > 0, or >= 0 when `zero_allowed`. Digits with an optional fraction and
/// exponent ("2", "0.5", "1e3"); no sign, no "inf" or "nan".
CLI::Validator seconds_check(bool zero_allowed);

/// A whole number of `unit` ("bytes", "responses") from `min` to `max`, in decimal digits only.
CLI::Validator whole_number_check(std::uint64_t min, std::uint64_t max, const std::string& unit);

/// A TCP port: 0..65535 to listen on, 1..65535 to connect to.
CLI::Validator port_check(PortUse use);

/// An address or host name: not empty.
CLI::Validator address_check();

/// Text that goes on the wire as one line: no line feed.
CLI::Validator single_line_check();

/// Adds `-a,--address` and `-p,--port` to `command`, stored in `endpoint`; `use` decides whether port 0
/// is allowed.
void add_endpoint_options(CLI::App& command, Endpoint& endpoint, PortUse use);

/// Adds `-t,--timeout SECONDS` (> 0) to `command`, stored in `seconds`; `description` says what it bounds.
void add_timeout_option(CLI::App& command, double& seconds, const std::string& description);

/// Adds an option `names` taking SECONDS (> 0, or >= 0 when `zero_allowed`), stored in `seconds`.
CLI::Option* add_seconds_option(CLI::App& command, const std::string& names, double& seconds,
                                const std::string& description, bool zero_allowed);

/// Adds `--wait SECONDS` (>= 0) to `command`, stored in `seconds`: how long connecting keeps
/// trying while the server is not up yet.
void add_wait_option(CLI::App& command, double& seconds);

/// Seconds given on the command line as milliseconds, rounded up so that a
/// tiny positive value never becomes zero.
std::chrono::milliseconds to_milliseconds(double seconds);

/// Prints "oneline COMMAND: MESSAGE" on stderr and ends the subcommand with
/// `code` (CLI::RuntimeError carries it to main); a usage error (exit_usage)
/// ends with "(see 'oneline COMMAND --help')", as the parser's errors do. Never returns.
[[noreturn]] void fail(std::string_view command, std::string_view message, ExitCode code = exit_failure);

/// Runs `body`, the work of subcommand `command`. Any exception it lets out,
/// std::bad_alloc included, ends `command` with exit 1 and one line saying
/// why (see fail()); the exit of fail() itself passes through unchanged.
void run_guarded(std::string_view command, const std::function<void()>& body);

}  // namespace oneline::cli
