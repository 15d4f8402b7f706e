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

void expect_answer(Client& client, std::string_view command, std::string_view expected) {
    const std::optional<std::string> got = client.recv(kIoTimeout);
    if (!got) {
        throw std::runtime_error("oneline::Client: no answer (closed or timed out)");
    }
    if (*got != expected) {
        throw std::runtime_error("oneline::Client: " + wrong_answer(command, expected, *got));
    }
}

/// Whether `got` is the answer that starts at `at` in `block` (whole lines, each ended by 0x0A); if
/// so, moves `at` to the next one. Compared byte by byte in place: answers are short, and a call to
/// memcmp per answer would cost more than the comparison.
bool next_answer_is(const std::string& got, std::string_view block, std::size_t& at) {
    if (block.size() - at <= got.size() || block[at + got.size()] != '\n') {
        return false;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] != block[at + i]) {
            return false;
        }
    }
    at += got.size() + 1;
    if (at == block.size()) {
        at = 0;
    }
    return true;
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
        expect_answer(client, workload.commands.line(i), workload.answers.line(i));
        samples.push_back(Clock::now() - start);
    }
    client.disconnect();
    return samples;
}

double client_pipelined(const std::string& host, std::uint16_t port, const Workload& workload, std::size_t count,
                        std::size_t window) {
    Client client = connected_client(host, port);
    window = std::max<std::size_t>(window, 1);
    std::vector<std::string_view> batch;
    batch.reserve(window);
    std::size_t sent = 0;
    std::size_t answered = 0;
    const std::string_view answers = workload.answers.block();
    std::size_t answer_at = 0;  // where the next expected answer starts in `answers`
    std::string got;            // reused: recv() fills it without an allocation per answer
    const auto start = Clock::now();
    while (answered < count) {
        if (sent < count) {
            // Batches of `window` go out back to back; send_batch reads the answers into the
            // client's buffer meanwhile, and stops early when that buffer is full.
            batch.clear();
            const std::size_t lines = workload.commands.lines_per_block();
            for (std::size_t i = sent, in_block = sent % lines; i < std::min(count, sent + window); ++i) {
                batch.push_back(workload.commands.block_line(in_block));
                in_block = in_block + 1 == lines ? 0 : in_block + 1;
            }
            sent += client.send_batch(batch);
            if (!client.connected()) {
                throw std::runtime_error("oneline::Client: the server went away while sending");
            }
        }
        // What has arrived is taken without waiting; once everything is sent, the rest is awaited.
        for (;;) {
            if (!client.recv(got, sent < count ? std::chrono::milliseconds(0) : kIoTimeout)) {
                if (sent == count || !client.connected()) {
                    throw std::runtime_error("oneline::Client: no answer (closed or timed out)");
                }
                break;
            }
            if (!next_answer_is(got, answers, answer_at)) {
                const std::string_view expected = answers.substr(answer_at, answers.find('\n', answer_at) - answer_at);
                throw std::runtime_error("oneline::Client: " +
                                         wrong_answer(workload.commands.line(answered), expected, got));
            }
            if (++answered == count) {
                break;
            }
        }
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
