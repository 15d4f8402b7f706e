#include "loads.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "scale.hpp"

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStepTimeout{2000};
constexpr std::size_t kStreamChunk = 64 * 1024;
constexpr milliseconds kSlowByteGap{10};
constexpr int kSmallReceiveBuffer = 4096;
// The server of never_reads drops a client that has this much unread, or reads nothing for this long.
constexpr std::size_t kPendingLimit = 4 * 1024 * 1024;
constexpr milliseconds kSendTimeout{300};

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

}  // namespace

LoadReport endless_line(StressServer& server, std::size_t bytes, LoadControl& control) {
    LoadReport report;
    const std::string chunk(kStreamChunk, 'x');
    while (report.bytes < bytes) {
        RawSocket socket = connect_served(server, control, report);
        if (!socket.valid()) {
            return report;
        }
        // Sends until the server drops the connection at the line limit.
        std::size_t on_this_connection = 0;
        Io status = Io::ok;
        while (status == Io::ok && report.bytes < bytes) {
            status = socket.send_all(chunk, kStepTimeout);
            if (status == Io::ok) {
                on_this_connection += chunk.size();
                report.bytes += chunk.size();
                control.progress = report.bytes;
            }
        }
        if (status == Io::timed_out && report.fail(control, "the server stopped reading without dropping the client")) {
            return report;
        }
        ++report.units;
        report.most_bytes_per_connection = std::max(report.most_bytes_per_connection, on_this_connection);
    }
    return report;
}

LoadReport slow_client(StressServer& server, std::size_t bytes, LoadControl& control) {
    LoadReport report;
    RawSocket socket = connect_served(server, control, report);
    if (!socket.valid()) {
        return report;
    }
    const std::string ping = "ping\n";
    const std::size_t commands = std::max<std::size_t>(1, bytes / ping.size());
    for (std::size_t i = 0; i < commands * ping.size(); ++i) {
        if (socket.send_all(std::string_view(ping).substr(i % ping.size(), 1), kStepTimeout) != Io::ok) {
            report.fail(control, "the server dropped a slow client after " + std::to_string(i) + " bytes");
            return report;
        }
        ++report.bytes;
        ++control.progress;
        std::this_thread::sleep_for(kSlowByteGap);  // the pace is the scenario
    }
    for (std::size_t i = 0; i < commands; ++i) {
        std::string answer;
        if (socket.read_line(answer, kStepTimeout) != Io::ok || answer != "pong") {
            report.fail(control, "pong " + std::to_string(i) + " missing, got '" + answer + "'");
            return report;
        }
        ++report.units;
    }
    return report;
}

StressServer::Tweak never_reads_limits() {
    return [](ServerConfig& config) {
        config.max_pending_output = kPendingLimit;
        config.send_timeout = kSendTimeout;
    };
}

LoadReport never_reads(StressServer& server, std::size_t clients, LoadControl& control) {
    LoadReport report;
    for (std::size_t i = 0; i < clients; ++i) {
        RawSocket socket = connect_served(server, control, report, kSmallReceiveBuffer);
        if (!socket.valid()) {
            return report;
        }
        // Even clients ask for far more than the pending limit; odd ones for less, but for more
        // than the socket buffers absorb, so that only the send timeout can free the server.
        const std::string command =
            i % 2 == 0 ? "blob 65536\n" : "blob " + std::to_string(kPendingLimit * 3 / 4) + "\n";
        const std::size_t repeats = i % 2 == 0 ? 2 * kPendingLimit / 65536 : 1;
        for (std::size_t r = 0; r < repeats; ++r) {
            if (socket.send_all(command, kStepTimeout) != Io::ok) {
                break;  // dropped already: the rest would go nowhere
            }
            report.bytes += command.size();
        }
        const auto began = Clock::now();
        const bool dropped =
            wait_until([&] { return !server.server().client_connected(); }, kSendTimeout + kStepTimeout);
        if (!dropped && report.fail(control, "client " + std::to_string(i) + " that never reads was not dropped")) {
            return report;
        }
        report.worst_ms = std::max(report.worst_ms, elapsed_ms(began));
        ++report.units;
        ++control.progress;
    }
    return report;
}

}  // namespace oneline::stress
