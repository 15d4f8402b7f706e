#include "cli/ping_command.hpp"

#include "cli/connection.hpp"
#include "cli/options.hpp"
#include "cli/quoting.hpp"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "ping";

struct PingOptions {
    Endpoint endpoint;
    double timeout_seconds = 5;
    double wait_seconds = 0;
    bool verbose = false;
};

void run_ping(const PingOptions& options) {
    const auto timeout = to_milliseconds(options.timeout_seconds);
    Client client =
        connect_or_fail(kName, options.endpoint, timeout, options.verbose, to_milliseconds(options.wait_seconds));
    // The handshake already pinged; this second round trip is timed alone, without the TCP connect.
    const auto sent_at = std::chrono::steady_clock::now();
    send_or_fail(kName, client, options.endpoint, "ping");
    const std::string answer = receive_or_fail(kName, client, options.endpoint, timeout, "ping");
    const std::chrono::duration<double, std::milli> round_trip = std::chrono::steady_clock::now() - sent_at;
    if (answer != "pong") {
        fail(kName, options.endpoint.text() + " answered " + cli::quoted(answer) + " instead of 'pong'");
    }
    std::cout << "pong from " << options.endpoint.text() << " in " << std::fixed << std::setprecision(3)
              << round_trip.count() << " ms" << std::endl;
    say_goodbye(kName, client, options.endpoint, timeout, "disconnect");
}

}  // namespace

void add_ping_command(CLI::App& app) {
    auto options = std::make_shared<PingOptions>();
    CLI::App* command = app.add_subcommand(std::string(kName), "Check that a server answers, and how fast");
    add_endpoint_options(*command, options->endpoint, PortUse::connect);
    add_timeout_option(*command, options->timeout_seconds, "seconds to wait for the connection and for each answer");
    add_wait_option(*command, options->wait_seconds);
    command->add_flag("-v,--verbose", options->verbose, "log the connection on stderr");
    command->callback([options] { run_guarded(kName, [&] { run_ping(*options); }); });
}

}  // namespace oneline::cli
