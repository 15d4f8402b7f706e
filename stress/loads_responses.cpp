#include "loads.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStepTimeout{2000};
// The writer of pipelined_large_responses waits as long as the reader takes, since the server
// takes commands only as fast as their answers are read; the reader ends it sooner on a failure.
constexpr milliseconds kWriterTimeout{600'000};

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

/// The command that asks for a response of `size` bytes starting with `tag`.
std::string tagged_command(std::size_t size, const std::string& tag) {
    return "tagged " + std::to_string(size) + " " + tag + "\n";
}

/// True when `line` is the response to tagged_command(size, tag).
bool is_tagged_response(const std::string& line, std::size_t size, const std::string& tag) {
    return line.size() == size && line.compare(0, tag.size(), tag) == 0 &&
           line.find_first_not_of('.', tag.size()) == std::string::npos;
}

std::string describe(Io status) {
    switch (status) {
        case Io::ok: return "a wrong response";
        case Io::timed_out: return "nothing for " + std::to_string(kStepTimeout.count()) + " ms";
        case Io::closed: break;
    }
    return "the close";
}

}  // namespace

LoadReport half_close_after_burst(StressServer& server, std::size_t rounds, LoadControl& control) {
    LoadReport report;
    for (std::size_t round = 0; round < rounds; ++round) {
        RawSocket socket = connect_served(server, control, report);
        if (!socket.valid()) {
            return report;
        }
        const std::string tag_prefix = "r" + std::to_string(round) + "c";
        std::string burst;
        for (std::size_t i = 0; i < kBurstCommands; ++i) {
            burst += tagged_command(kBurstResponseBytes, tag_prefix + std::to_string(i));
        }
        if (socket.send_all(burst, kStepTimeout) != Io::ok) {
            if (report.fail(control, "round " + std::to_string(round) + ": the burst was not taken")) {
                return report;
            }
            continue;
        }
        report.bytes += burst.size();
        socket.shutdown_write();  // like `nc -N`: every command is sent, every answer still wanted

        const auto began = Clock::now();
        std::size_t answered = 0;
        std::size_t received = 0;
        Io status = Io::ok;
        for (std::string line; answered < kBurstCommands; ++answered) {
            status = socket.read_line(line, kStepTimeout);
            if (status != Io::ok) {
                break;
            }
            received += line.size() + 1;
            if (!is_tagged_response(line, kBurstResponseBytes, tag_prefix + std::to_string(answered))) {
                break;
            }
        }
        report.units += answered;
        report.bytes_received += received;
        if (answered < kBurstCommands) {
            if (report.fail(control, "round " + std::to_string(round) + ": " + std::to_string(answered) + " of " +
                                         std::to_string(kBurstCommands) + " responses in order (" +
                                         std::to_string(received) + " of " +
                                         std::to_string(kBurstCommands * (kBurstResponseBytes + 1)) + " bytes), then " +
                                         describe(status))) {
                return report;
            }
            continue;
        }
        // Then the server closes, with nothing after the last response.
        std::string extra;
        status = socket.read_some(extra, kStepTimeout);
        if (status != Io::closed) {
            if (report.fail(control, "round " + std::to_string(round) + ": " +
                                         (extra.empty() ? "no close after the last response"
                                                        : std::to_string(extra.size()) + " bytes after it"))) {
                return report;
            }
            continue;
        }
        report.worst_ms = std::max(report.worst_ms, elapsed_ms(began));
        ++control.progress;
    }
    return report;
}

LoadReport pipelined_large_responses(StressServer& server, std::size_t commands, LoadControl& control) {
    LoadReport report;
    RawSocket socket = connect_served(server, control, report);
    if (!socket.valid()) {
        return report;
    }
    std::string stream;
    for (std::size_t i = 0; i < commands; ++i) {
        stream += tagged_command(kLargeResponseBytes, std::to_string(i));
    }
    // One write of every command, while this thread reads the answers.
    Io written = Io::timed_out;
    std::thread writer([&] { written = socket.send_all(stream, kWriterTimeout); });

    std::size_t answered = 0;
    Io status = Io::ok;
    for (std::string line; answered < commands; ++answered) {
        const auto began = Clock::now();
        status = socket.read_line(line, kStepTimeout);
        if (status != Io::ok) {
            break;
        }
        report.worst_ms = std::max(report.worst_ms, elapsed_ms(began));
        report.bytes_received += line.size() + 1;
        if (!is_tagged_response(line, kLargeResponseBytes, std::to_string(answered))) {
            break;
        }
        ++report.units;
        ++control.progress;
    }
    if (answered < commands) {
        socket.shutdown_write();  // ends the writer's wait at once
    }
    writer.join();
    if (answered < commands) {
        report.fail(control, std::to_string(answered) + " of " + std::to_string(commands) + " responses in order (" +
                                 std::to_string(report.bytes_received) + " bytes), then " + describe(status));
        return report;
    }
    if (written != Io::ok) {
        report.fail(control, "every response came, yet the commands were not all taken");
        return report;
    }
    report.bytes += stream.size();
    std::string pong;
    if (socket.send_all("ping\n", kStepTimeout) != Io::ok || socket.read_line(pong, kStepTimeout) != Io::ok ||
        pong != "pong") {
        report.fail(control, "the client was not served after the last response");
    }
    return report;
}

}  // namespace oneline::stress
