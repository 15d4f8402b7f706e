#include "raw_load.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace oneline::bench {
namespace {

using Clock = std::chrono::steady_clock;

void send_or_throw(Connection& socket, std::string_view bytes, const char* what) {
    if (const Io status = socket.send_all(bytes, kIoTimeout); status != Io::ok) {
        throw std::runtime_error(std::string("sending ") + what +
                                 (status == Io::timed_out ? " timed out" : " failed: the connection broke"));
    }
}

/// Reads the answer to `command` (`what` names it when there is none) and checks it is `expected`.
void expect_line(Connection& socket, std::string& line, std::string_view command, std::string_view expected,
                 const char* what) {
    if (socket.read_line(line, kIoTimeout) != Io::ok) {
        throw std::runtime_error(std::string("no answer to ") + what + " (closed, failed or timed out)");
    }
    if (line != expected) {
        throw std::runtime_error(wrong_answer(command, expected, line));
    }
}

// Waits (up to kIoTimeout) until the server has closed its side, so that the
// next connection does not find it still busy with this one.
void wait_for_close(Connection& socket) {
    socket.shutdown_write();
    socket.wait_closed(kIoTimeout);
}

void finish(Connection& socket) {
    socket.send_all("disconnect\n", kIoTimeout);
    wait_for_close(socket);
}

double per_second(std::size_t count, Clock::duration elapsed) {
    return static_cast<double>(count) / std::chrono::duration<double>(elapsed).count();
}

}  // namespace

std::vector<std::chrono::nanoseconds> raw_round_trips(const Endpoint& server, const Workload& workload,
                                                      std::size_t count) {
    Connection socket(server, kIoTimeout);
    std::string line;
    std::vector<std::chrono::nanoseconds> samples;
    samples.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto start = Clock::now();
        send_or_throw(socket, workload.commands.wire_line(i), "a command");
        expect_line(socket, line, workload.commands.line(i), workload.answers.line(i), "a command");
        samples.push_back(Clock::now() - start);
    }
    finish(socket);
    return samples;
}

double raw_pipelined(const Endpoint& server, const Workload& workload, std::size_t count, Writes writes) {
    Connection socket(server, kIoTimeout);
    StreamChecker checker(workload.answers, count, workload.commands);
    std::atomic<bool> write_failed{false};
    const auto start = Clock::now();
    std::thread writer([&] {
        // Only the writer sends and only the reader reads, which Connection allows.
        if (writes == Writes::per_command) {
            for (std::size_t i = 0; i < count; ++i) {
                if (socket.send_all(workload.commands.wire_line(i), kIoTimeout) != Io::ok) {
                    write_failed = true;
                    return;
                }
            }
            return;
        }
        const std::string_view block = workload.commands.block();
        for (std::size_t left = workload.commands.bytes_for(count); left > 0;) {
            const std::size_t length = std::min(left, block.size());
            if (socket.send_all(block.substr(0, length), kIoTimeout) != Io::ok) {
                write_failed = true;
                return;
            }
            left -= length;
        }
    });
    try {
        std::string answers;
        while (!checker.done()) {
            answers.clear();
            if (const Io status = socket.read_some(answers, kIoTimeout); status != Io::ok) {
                throw std::runtime_error("answers stopped after " + std::to_string(checker.seen()) + " of " +
                                         std::to_string(checker.total()) + " bytes (" +
                                         (status == Io::closed ? "closed" : "timed out") + ")" +
                                         (write_failed ? "; writing commands failed" : ""));
            }
            checker.check(answers);
        }
    } catch (...) {
        socket.shutdown_both();  // unblocks the writer
        writer.join();
        throw;
    }
    const auto elapsed = Clock::now() - start;
    writer.join();
    finish(socket);
    return per_second(count, elapsed);
}

double raw_churn(const Endpoint& server, std::size_t cycles) {
    const auto start = Clock::now();
    for (std::size_t i = 0; i < cycles; ++i) {
        Connection socket(server, kIoTimeout);
        std::string line;
        send_or_throw(socket, "ping\n", "the handshake");
        expect_line(socket, line, "ping", "pong", "the handshake ping");
        socket.send_all("disconnect\n", kIoTimeout);
    }
    return per_second(cycles, Clock::now() - start);
}

FloodResult raw_flood(const Endpoint& server, std::size_t total_bytes) {
    const std::string chunk(64 * 1024, 'x');
    FloodResult result;
    while (result.bytes_sent < total_bytes) {
        Connection socket(server, kIoTimeout);
        for (;;) {
            const std::size_t length = std::min(chunk.size(), total_bytes - result.bytes_sent);
            if (length == 0) {
                wait_for_close(socket);  // the server discards the partial line when we close
                break;
            }
            const Io status = socket.send_all(std::string_view(chunk).substr(0, length), kIoTimeout);
            if (status == Io::ok) {
                result.bytes_sent += length;
            } else if (status == Io::closed) {
                ++result.drops;
                break;
            } else {
                throw std::runtime_error("flood: the server neither read nor dropped us");
            }
        }
    }
    // The server must have survived it all.
    Connection socket(server, kIoTimeout);
    std::string line;
    send_or_throw(socket, "ping\n", "ping after the flood");
    expect_line(socket, line, "ping", "pong", "ping after the flood");
    finish(socket);
    return result;
}

}  // namespace oneline::bench
