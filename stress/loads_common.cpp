#include "loads.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <utility>

namespace oneline::stress {
namespace {

constexpr std::size_t kFailuresKept = 10;
constexpr std::size_t kFailuresBeforeGivingUp = 50;
constexpr std::size_t kRefusalsBeforeGivingUp = 1000;
constexpr std::chrono::milliseconds kStepTimeout{2000};

}  // namespace

bool LoadReport::fail(const LoadControl& control, std::string what) {
    if (control.halting) {
        interrupted = true;
        return true;
    }
    ++failure_count;
    if (failures.size() < kFailuresKept) {
        failures.push_back(std::move(what));
    }
    return failure_count >= kFailuresBeforeGivingUp;
}

RawSocket connect_to_server(const StressServer& server, std::chrono::milliseconds timeout, int receive_buffer) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    if (::inet_pton(AF_INET, server.address().c_str(), &address.sin_addr) != 1) {
        return RawSocket();
    }
    return RawSocket::connect_to(reinterpret_cast<const sockaddr&>(address), sizeof address, timeout, receive_buffer);
}

RawSocket connect_served(StressServer& server, LoadControl& control, LoadReport& report, int receive_buffer) {
    for (std::size_t attempt = 0; attempt < kRefusalsBeforeGivingUp; ++attempt) {
        RawSocket socket = connect_to_server(server, kStepTimeout, receive_buffer);
        if (!socket.valid()) {
            report.fail(control, "connect failed");
            return socket;
        }
        std::string answer;
        Io status = socket.send_all("ping\n", kStepTimeout);
        if (status == Io::ok) {
            status = socket.read_line(answer, kStepTimeout);
        }
        if (status == Io::ok && answer == "pong") {
            return socket;
        }
        if (status != Io::closed) {
            report.fail(control, "handshake: no pong, got '" + answer + "'");
            return RawSocket();
        }
        if (control.halting) {
            report.interrupted = true;
            return RawSocket();
        }
        ++report.refused;
    }
    report.fail(control, "refused " + std::to_string(kRefusalsBeforeGivingUp) + " times in a row");
    return RawSocket();
}

}  // namespace oneline::stress
