#include "client_load.hpp"

#include "raw_load.hpp"

#include <oneline/client.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace oneline::bench {
namespace {

using Clock = std::chrono::steady_clock;

Client connected_client(const std::string& host, std::uint16_t port) {
    ClientConfig config;
    config.address = host;
    config.port = port;
    Client client(std::move(config));
    client.connect(kIoTimeout);
    return client;
}

void send_or_throw(Client& client, std::string_view command) {
    if (!client.send(command)) {
        throw std::runtime_error("oneline::Client: the server went away while sending");
    }
}

void expect_answer(Client& client, std::string_view expected) {
    const std::optional<std::string> got = client.recv(kIoTimeout);
    if (!got) {
        throw std::runtime_error("oneline::Client: no answer (closed or timed out)");
    }
    if (*got != expected) {
        throw std::runtime_error("oneline::Client: wrong answer '" + *got + "', expected '" + std::string(expected) +
                                 "'");
    }
}

double per_second(std::size_t count, Clock::duration elapsed) {
    return static_cast<double>(count) / std::chrono::duration<double>(elapsed).count();
}

}  // namespace

std::vector<std::chrono::nanoseconds> client_round_trips(const std::string& host, std::uint16_t port,
                                                         const Workload& workload, std::size_t count) {
    Client client = connected_client(host, port);
    std::vector<std::chrono::nanoseconds> samples;
    samples.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto start = Clock::now();
        send_or_throw(client, workload.commands.line(i));
        expect_answer(client, workload.answers.line(i));
        samples.push_back(Clock::now() - start);
    }
    client.disconnect();
    return samples;
}

double client_pipelined(const std::string& host, std::uint16_t port, const Workload& workload, std::size_t count,
                        std::size_t window) {
    Client client = connected_client(host, port);
    window = std::max<std::size_t>(window, 1);
    const auto start = Clock::now();
    for (std::size_t done = 0; done < count;) {
        const std::size_t round = std::min(window, count - done);
        for (std::size_t i = done; i < done + round; ++i) {
            send_or_throw(client, workload.commands.line(i));
        }
        for (std::size_t i = done; i < done + round; ++i) {
            expect_answer(client, workload.answers.line(i));
        }
        done += round;
    }
    const auto elapsed = Clock::now() - start;
    client.disconnect();
    return per_second(count, elapsed);
}

double client_churn(const std::string& host, std::uint16_t port, std::size_t cycles) {
    ClientConfig config;
    config.address = host;
    config.port = port;
    Client client(std::move(config));
    const auto start = Clock::now();
    for (std::size_t i = 0; i < cycles; ++i) {
        client.connect(kIoTimeout);
        client.disconnect();
    }
    return per_second(cycles, Clock::now() - start);
}

}  // namespace oneline::bench
