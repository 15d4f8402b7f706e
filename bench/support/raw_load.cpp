#include "raw_load.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>

namespace oneline::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 256 * 1024;

/// Buffered reading of 0x0A-terminated lines from a blocking socket.
class LineReader {
public:
    explicit LineReader(int fd) : fd_(fd), buffer_(4096, '\0') {}

    /// The next line without its 0x0A, valid until the next call; std::nullopt
    /// at end of stream, on error or after kIoTimeout.
    std::optional<std::string_view> next() {
        for (;;) {
            const char* start = buffer_.data() + begin_;
            if (const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_))) {
                const std::string_view line(start, static_cast<std::size_t>(newline - start));
                begin_ += line.size() + 1;
                return line;
            }
            if (begin_ > 0) {
                buffer_.erase(0, begin_);  // keep the partial line at the front
                end_ -= begin_;
                begin_ = 0;
                buffer_.resize(std::max<std::size_t>(buffer_.size(), 4096));
            }
            if (end_ == buffer_.size()) {
                buffer_.resize(buffer_.size() * 2);
            }
            const long got = read_some(fd_, buffer_.data() + end_, buffer_.size() - end_);
            if (got <= 0) {
                return std::nullopt;
            }
            end_ += static_cast<std::size_t>(got);
        }
    }

private:
    int fd_;
    std::string buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

void send_or_throw(int fd, std::string_view bytes, const char* what) {
    if (!write_all(fd, bytes)) {
        throw std::runtime_error(std::string("sending ") + what + " failed: " + std::strerror(errno));
    }
}

void expect_line(LineReader& reader, std::string_view expected, const char* what) {
    const std::optional<std::string_view> got = reader.next();
    if (!got) {
        throw std::runtime_error(std::string("no answer to ") + what + " (closed, failed or timed out)");
    }
    if (*got != expected) {
        throw std::runtime_error(std::string("wrong answer to ") + what + ": '" + std::string(*got) + "', expected '" +
                                 std::string(expected) + "'");
    }
}

void say_disconnect(const Socket& socket) { write_all(socket.get(), "disconnect\n"); }

// Waits (up to kIoTimeout) until the server has closed its side, so that the
// next connection does not find it still busy with this one.
void wait_for_close(const Socket& socket) {
    ::shutdown(socket.get(), SHUT_WR);
    char sink[4096];
    while (read_some(socket.get(), sink, sizeof sink) > 0) {
    }
}

void finish(const Socket& socket) {
    say_disconnect(socket);
    wait_for_close(socket);
}

double per_second(std::size_t count, Clock::duration elapsed) {
    return static_cast<double>(count) / std::chrono::duration<double>(elapsed).count();
}

}  // namespace

std::vector<std::chrono::nanoseconds> raw_round_trips(const Endpoint& server, const Workload& workload,
                                                      std::size_t count) {
    const Socket socket = connect_to(server, kIoTimeout);
    LineReader reader(socket.get());
    std::vector<std::chrono::nanoseconds> samples;
    samples.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto start = Clock::now();
        send_or_throw(socket.get(), workload.commands.wire_line(i), "a command");
        expect_line(reader, workload.answers.line(i), "a command");
        samples.push_back(Clock::now() - start);
    }
    finish(socket);
    return samples;
}

double raw_pipelined(const Endpoint& server, const Workload& workload, std::size_t count) {
    const Socket socket = connect_to(server, kIoTimeout);
    StreamChecker checker(workload.answers, count);
    std::atomic<bool> write_failed{false};
    const auto start = Clock::now();
    std::thread writer([&] {
        const std::string_view block = workload.commands.block();
        for (std::size_t left = workload.commands.bytes_for(count); left > 0;) {
            const std::size_t length = std::min(left, block.size());
            if (!write_all(socket.get(), block.substr(0, length))) {
                write_failed = true;
                return;
            }
            left -= length;
        }
    });
    try {
        const auto buffer = std::make_unique<char[]>(kReadChunk);
        while (!checker.done()) {
            const long got = read_some(socket.get(), buffer.get(), kReadChunk);
            if (got <= 0) {
                throw std::runtime_error("answers stopped after " + std::to_string(checker.seen()) + " of " +
                                         std::to_string(checker.total()) + " bytes (" +
                                         (got == 0 ? "closed" : std::strerror(errno)) + ")" +
                                         (write_failed ? "; writing commands failed" : ""));
            }
            checker.check(std::string_view(buffer.get(), static_cast<std::size_t>(got)));
        }
    } catch (...) {
        ::shutdown(socket.get(), SHUT_RDWR);  // unblocks the writer
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
        const Socket socket = connect_to(server, kIoTimeout);
        LineReader reader(socket.get());
        send_or_throw(socket.get(), "ping\n", "the handshake");
        expect_line(reader, "pong", "the handshake ping");
        say_disconnect(socket);
    }
    return per_second(cycles, Clock::now() - start);
}

FloodResult raw_flood(const Endpoint& server, std::size_t total_bytes) {
    const std::string chunk(64 * 1024, 'x');
    FloodResult result;
    while (result.bytes_sent < total_bytes) {
        const Socket socket = connect_to(server, kIoTimeout);
        for (;;) {
            const std::size_t length = std::min(chunk.size(), total_bytes - result.bytes_sent);
            if (length == 0) {
                wait_for_close(socket);  // the server discards the partial line when we close
                break;
            }
            const ssize_t sent = ::send(socket.get(), chunk.data(), length, MSG_NOSIGNAL);
            if (sent > 0) {
                result.bytes_sent += static_cast<std::size_t>(sent);
            } else if (sent < 0 && (errno == EPIPE || errno == ECONNRESET)) {
                ++result.drops;
                break;
            } else if (sent < 0 && errno != EINTR) {
                throw std::runtime_error(std::string("flood: the server neither read nor dropped us: ") +
                                         std::strerror(errno));
            }
        }
    }
    // The server must have survived it all.
    const Socket socket = connect_to(server, kIoTimeout);
    LineReader reader(socket.get());
    send_or_throw(socket.get(), "ping\n", "ping after the flood");
    expect_line(reader, "pong", "ping after the flood");
    finish(socket);
    return result;
}

}  // namespace oneline::bench
