#include "cli/connection.hpp"

#include "cli/quoting.hpp"
#include "cli/stderr_logger.hpp"

#include <memory>

namespace oneline::cli {

Client connect_client(const Endpoint& endpoint, std::chrono::milliseconds timeout, bool verbose,
                      std::chrono::milliseconds wait) {
    ClientConfig config;
    config.address = endpoint.address;
    config.port = endpoint.port_number();
    config.verbose = verbose;
    config.logger = std::make_shared<StderrLogger>("oneline clnt: ");
    Client client(std::move(config));
    try {
        client.connect(timeout, wait);
    } catch (const Error& error) {
        throw ConnectFailure(std::string(error.what()) +
                             (wait.count() > 0 ? " (kept trying for " + seconds_text(wait) + ")" : std::string()));
    }
    return client;
}

Client connect_or_fail(std::string_view command, const Endpoint& endpoint, std::chrono::milliseconds timeout,
                       bool verbose, std::chrono::milliseconds wait) {
    try {
        return connect_client(endpoint, timeout, verbose, wait);
    } catch (const ConnectFailure& failure) {
        fail(command, failure.what());
    }
}

void send_or_fail(std::string_view command, Client& client, const Endpoint& endpoint, std::string_view command_text) {
    if (!client.connected() || !client.send(command_text)) {
        fail(command, endpoint.text() + " closed the connection before " + quoted(command_text) + " was sent");
    }
}

std::string receive_or_fail(std::string_view command, Client& client, const Endpoint& endpoint,
                            std::chrono::milliseconds timeout, std::string_view command_text) {
    std::optional<std::string> response = client.recv(timeout);
    if (response) {
        return std::move(*response);
    }
    if (!client.connected()) {
        fail(command, endpoint.text() + " closed the connection instead of answering " + quoted(command_text));
    }
    fail(command, endpoint.text() + " did not answer " + quoted(command_text) + " within " + seconds_text(timeout));
}

void say_goodbye(std::string_view command, Client& client, const Endpoint& endpoint, std::chrono::milliseconds timeout,
                 std::string_view word) {
    const bool closed = word == "shutdown" ? client.shutdown(timeout) : client.disconnect(timeout);
    if (!closed) {
        fail(command,
             endpoint.text() + " kept the connection open after " + quoted(word) + " for " + seconds_text(timeout));
    }
}

}  // namespace oneline::cli
