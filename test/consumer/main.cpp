// Uses the installed package: an echo server on a free port, a client that
// talks to it, and the version header. Exits 0 when all of it works.
#include <oneline/oneline.hpp>

#include <chrono>
#include <cstring>
#include <iostream>

int main() {
    if (std::strcmp(oneline::version, EXPECTED_VERSION) != 0) {
        std::cerr << "consumer: version " << oneline::version << ", expected " << EXPECTED_VERSION << '\n';
        return 1;
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
