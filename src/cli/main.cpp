// The `oneline` command-line tool. Each subcommand lives in its own file pair
// and is registered here with one call.
#include "cli/bench_command.hpp"
#include "cli/check_command.hpp"
#include "cli/client_command.hpp"
#include "cli/command_line.hpp"
#include "cli/help_formatter.hpp"
#include "cli/options.hpp"
#include "cli/ping_command.hpp"
#include "cli/server_command.hpp"
#include "cli/shutdown_command.hpp"
#include "cli/usage.hpp"

#include <oneline/version.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <iostream>
#include <new>
#include <string>
#include <vector>

namespace {

// One line for a usage error, instead of CLI11's two.
std::string usage_message(const CLI::App* app, const CLI::Error& error) {
    return oneline::cli::usage_error(*app, error) + "\n";
}

int run(int argc, char** argv) {
    using namespace oneline::cli;
    CLI::App app("Serve, ping, talk to, check and shut down oneline servers: one command per line over TCP.",
                 "oneline");
    // Before the subcommands are added: they take the help flag's wording from here.
    app.set_help_flag("-h,--help", "print this help and exit");
    app.set_version_flag("--version", oneline::version, "print the version and exit");
    app.require_subcommand(1);
    app.failure_message(usage_message);
    app.formatter(std::make_shared<HelpFormatter>());  // inherited by the subcommands added below

    add_server_command(app);
    add_client_command(app);
    add_ping_command(app);
    add_shutdown_command(app);
    add_check_command(app);
    add_bench_command(app);

    std::vector<std::string> arguments = command_line_arguments(argc, argv);
    std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
    try {
        app.parse(arguments);
    } catch (const CLI::RuntimeError& error) {
        return error.get_exit_code();  // a subcommand failed and has said why
    } catch (const CLI::ParseError& error) {
        return app.exit(error) == 0 ? exit_ok : exit_usage;  // --help and --version exit 0
    }
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::bad_alloc&) {
        std::cerr << "oneline: out of memory" << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "oneline: " << error.what() << std::endl;
    } catch (...) {
        std::cerr << "oneline: unexpected error" << std::endl;
    }
    return oneline::cli::exit_failure;
}
