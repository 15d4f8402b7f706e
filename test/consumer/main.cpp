// Uses the installed package: the version header, an error thrown by the library, an echo server
// on a free port and a client that talks to it. Exits 0 when all of it works.
#include <oneline/oneline.hpp>

#include <chrono>
#include <cstring>
#include <iostream>

int main() {
    if (std::strcmp(oneline::version, EXPECTED_VERSION) != 0) {
        std::cerr << "consumer: version " << oneline::version << ", expected " << EXPECTED_VERSION << '\n';
        return 1;
    }
    // An exception thrown inside the library is caught by its type here (across a shared library
    // too, whose exported type information the consumer must share).
    try {
        oneline::Client unconfigured{oneline::ClientConfig{}};
        unconfigured.connect();
        std::cerr << "consumer: connect() without an address did not throw\n";
        return 1;
    } catch (const oneline::MissingParameters& error) {
        if (error.names().empty()) {
            std::cerr << "consumer: MissingParameters names nothing\n";
            return 1;
        }
    }
    oneline::Server* server_for_callback = nullptr;
    oneline::ServerConfig server_config;
    server_config.address = "127.0.0.1";
    server_config.port = 0;
    server_config.callback = [&](std::string_view command, bool) { server_for_callback->send(command); };
    oneline::Server server(server_config);
    server_for_callback = &server;
    server.start();

    oneline::ClientConfig client_config;
    client_config.address = "127.0.0.1";
    client_config.port = server.port();
    oneline::Client client(client_config);
    client.connect();
    client.send("hello from a consumer");
    const auto response = client.recv(std::chrono::milliseconds(5000));
    client.shutdown();
    if (!server.wait_until_stopped(std::chrono::milliseconds(5000)) || response != "hello from a consumer") {
        std::cerr << "consumer: the echo round trip failed\n";
        return 1;
    }
    std::cout << "consumer: oneline " << oneline::version << " works\n";
    return 0;
}
