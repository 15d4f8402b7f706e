// A complete program embedding oneline::Client. It plays a short scenario
// against sample_server and checks every answer:
//
//   client 1: connects (ping/pong handshake), pings, sends cmd01 (expects
//             `ack`), junk (expects `nak - unknown cmd`), a command with a
//             non-ASCII byte (the server flags it invalid), disconnects;
//   client 2: connects, pings, and shuts the server down.
//
//   sample_client PORT       exits 0 when every answer was as expected, else 1.
#include "sample_logger.hpp"

#include <oneline/oneline.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

constexpr std::chrono::milliseconds kAnswerTimeout{3000};

/// `text` with each byte outside printable ASCII shown as \xNN, for the log.
std::string printable(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string shown;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F) {
            shown.push_back(c);
        } else {
            shown.append({'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]});
        }
    }
    return shown;
}

oneline::ClientConfig client_config(std::uint16_t port, std::shared_ptr<oneline::Logger> logger) {
    oneline::ClientConfig config;
    config.address = "127.0.0.1";
    config.port = port;
    config.logger = std::move(logger);
    config.verbose = true;  // the library's lines (connect, disconnect) go to the logger too
    return config;
}

/// One connection of the scenario, with the checks it makes.
class Session {
public:
    Session(const std::string& name, std::uint16_t port)
        : log_(std::make_shared<sample::SampleLogger>(name)), client_(client_config(port, log_)) {}

    void connect() { client_.connect(); }

    /// Sends `command`, waits for one response and checks it is `expected`.
    bool expect(const std::string& command, const std::string& expected) {
        log_->info("send '" + printable(command) + "', expect '" + expected + "'");
        client_.send(command);
        const std::optional<std::string> response = client_.recv(kAnswerTimeout);
        if (!response) {
            log_->info("FAILED: no response to '" + printable(command) + "'");
            return false;
        }
        const bool ok = *response == expected;
        log_->info("received '" + printable(*response) + "'" + (ok ? "" : " -- FAILED: expected '" + expected + "'"));
        return ok;
    }

    void disconnect() { client_.disconnect(); }
    void shutdown() { client_.shutdown(); }

private:
    std::shared_ptr<sample::SampleLogger> log_;
    oneline::Client client_;
};

bool play(std::uint16_t port) {
    bool ok = true;
    Session first("client 1", port);
    first.connect();
    ok = first.expect("ping", "pong") && ok;
    ok = first.expect("cmd01", "ack") && ok;
    ok = first.expect("junk", "nak - unknown cmd") && ok;
    // 0xC3 is not ASCII: the server drops it and flags the command invalid; the rest, "caf", is unknown.
    ok = first.expect("caf\xC3", "nak - unknown cmd") && ok;
    first.disconnect();

    Session second("client 2", port);
    second.connect();
    ok = second.expect("ping", "pong") && ok;
    second.shutdown();
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    char* end = nullptr;
    const unsigned long port = argc == 2 ? std::strtoul(argv[1], &end, 10) : 0;
    if (argc != 2 || *argv[1] == '\0' || *end != '\0' || port == 0 || port > 65535) {
        std::cerr << "usage: sample_client PORT\n";
        return 2;
    }
    try {
        const bool ok = play(static_cast<std::uint16_t>(port));
        std::cout << "client   | " << (ok ? "all answers as expected" : "FAILED: some answers were wrong") << std::endl;
        return ok ? 0 : 1;
    } catch (const oneline::Error& error) {
        std::cout << "client   | FAILED: " << error.what() << std::endl;
        return 1;
    }
}
