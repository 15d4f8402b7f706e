#include "cli/shutdown_command.hpp"

#include "cli/connection.hpp"
#include "cli/options.hpp"

#include <memory>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "shutdown";

struct ShutdownOptions {
    Endpoint endpoint;
    double timeout_seconds = 5;
    double wait_seconds = 0;
    bool verbose = false;
};

void run_shutdown(const ShutdownOptions& options) {
    const auto timeout = to_milliseconds(options.timeout_seconds);
    Client client =
        connect_or_fail(kName, options.endpoint, timeout, options.verbose, to_milliseconds(options.wait_seconds));
    say_goodbye(kName, client, options.endpoint, timeout, "shutdown");
}

}  // namespace

void add_shutdown_command(CLI::App& app) {
    auto options = std::make_shared<ShutdownOptions>();
    CLI::App* command = app.add_subcommand(std::string(kName), "Ask the server to stop");
    add_endpoint_options(*command, options->endpoint, PortUse::connect);
    add_timeout_option(*command, options->timeout_seconds,
                       "seconds to wait for the connection and for the server to close it");
    add_wait_option(*command, options->wait_seconds);
    command->add_flag("-v,--verbose", options->verbose, "log the connection on stderr");
    command->callback([options] { run_guarded(kName, [&] { run_shutdown(*options); }); });
}

}  // namespace oneline::cli
