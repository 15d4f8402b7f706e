// A complete program embedding oneline::Server: answers `cmd01` with `ack`
// and anything else with `nak - unknown cmd`, logging every callback.
//
//   sample_server [PORT]     (default 5001; 0 picks a free port)
//
// Serves in the main thread until a client sends `shutdown`, then exits 0.
#include "sample_logger.hpp"

#include <oneline/oneline.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace {

std::optional<std::uint16_t> parse_port(const char* text) {
    char* end = nullptr;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
    const std::optional<std::uint16_t> port = argc > 1 ? parse_port(argv[1]) : std::optional<std::uint16_t>(5001);
    if (argc > 2 || !port) {
        std::cerr << "usage: sample_server [PORT]   (0..65535; 0 picks a free port)\n";
        return 2;
    }
    auto log = std::make_shared<sample::SampleLogger>("server  ");

    oneline::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = *port;
    config.logger = log;
    config.verbose = true;  // the library's lines (connections, built-ins) go to `log` too
    oneline::Server* server = nullptr;
    config.callback = [&server, &log](std::string_view command, bool is_invalid) {
        const std::string response = command == "cmd01" ? "ack" : "nak - unknown cmd";
        log->info("callback: command '" + std::string(command) + "' is_invalid=" + (is_invalid ? "true" : "false") +
                  " -> '" + response + "'");
        server->send(response);
    };

    try {
        oneline::Server instance(std::move(config));
        server = &instance;
        instance.listen();  // binds now, so the port is known before serving
        log->info("ready on port " + std::to_string(instance.port()));  // ./doit reads the port from this line
        instance.serve_forever();                                       // returns after a client's `shutdown`
    } catch (const oneline::Error& error) {
        std::cerr << "sample_server: " << error.what() << '\n';
        return 1;
    }
    log->info("exiting");
    return 0;
}
