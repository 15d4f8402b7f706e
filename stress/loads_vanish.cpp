#include "loads.hpp"
#include "scale.hpp"
#include "ut/support/veth_link.hpp"

#include <algorithm>
#include <chrono>
#include <sys/ioctl.h>

namespace oneline::stress {
namespace {

using Side = test::VethLink::Side;

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStepTimeout{2000};
// The user timeout fires on the next retransmission or window probe after it: some slack.
constexpr milliseconds kFreedWithin = kVanishUserTimeout + milliseconds(20'000);
constexpr milliseconds kSendTimeout{600'000};
constexpr std::size_t kBlobs = 16;
constexpr std::size_t kBlobBytes = 1024 * 1024;

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

/// Bytes waiting unread in `socket`'s receive buffer.
int unread_bytes(const RawSocket& socket) {
    int count = 0;
    return ::ioctl(socket.fd(), FIONREAD, &count) == 0 ? count : 0;
}

/// One round: true when it went as it should; otherwise the failure is noted in `report`.
bool vanish_once(StressServer& server, const test::VethLink& link, std::size_t round, LoadReport& report,
                 LoadControl& control) {
    const std::string name = "round " + std::to_string(round) + ": ";
    RawSocket peer;
    link.run_in(Side::peer, [&] { peer = connect_to_server(server, kStepTimeout); });
    std::string pong;
    if (!peer.valid() || peer.send_all("ping\n", kStepTimeout) != Io::ok ||
        peer.read_line(pong, kStepTimeout) != Io::ok || pong != "pong") {
        report.fail(control, name + "the peer was not served");
        return false;
    }
    std::string blobs;
    for (std::size_t i = 0; i < kBlobs; ++i) {
        blobs += "blob " + std::to_string(kBlobBytes) + "\n";
    }
    if (peer.send_all(blobs, kStepTimeout) != Io::ok ||
        !wait_until([&] { return unread_bytes(peer) > 0; }, kStepTimeout)) {
        report.fail(control, name + "the responses did not start");
        return false;
    }
    report.bytes += 5 + blobs.size();

    // While the peer is there the slot is taken: a client that comes now is closed at once.
    RawSocket second;
    link.run_in(Side::server, [&] { second = connect_to_server(server, kStepTimeout); });
    if (!second.valid() || !second.wait_closed(kStepTimeout)) {
        report.fail(control, name + "a second client was not closed while the peer held the slot");
        return false;
    }
    ++report.refused;

    std::string why_not;
    if (!link.set_peer_link(false, why_not)) {
        report.fail(control, name + why_not);
        return false;
    }
    const auto vanished = Clock::now();
    const bool freed = wait_until([&] { return !server.server().client_connected(); }, kFreedWithin);
    report.worst_ms = std::max(report.worst_ms, elapsed_ms(vanished));
    peer.close();  // its FIN goes nowhere; once the link is back, this host answers it with a reset
    if (!link.set_peer_link(true, why_not)) {
        report.fail(control, name + why_not);
        return false;
    }
    if (!freed) {
        report.fail(control, name + "the slot was still taken " + std::to_string(elapsed_ms(vanished)) +
                                 " ms after the peer vanished");
        return false;
    }

    // The next client is served; it leaves politely so that the next peer finds the slot free.
    RawSocket next;
    link.run_in(Side::server, [&] { next = connect_served(server, control, report); });
    if (!next.valid()) {
        return false;
    }
    if (next.send_all("disconnect\n", kStepTimeout) != Io::ok || !next.wait_closed(kStepTimeout)) {
        report.fail(control, name + "the next client was not disconnected");
        return false;
    }
    return true;
}

}  // namespace

StressServer::Tweak vanishing_peer_limits(const test::VethLink& link) {
    return [address = link.server_address()](ServerConfig& config) {
        config.address = address;
        config.user_timeout = kVanishUserTimeout;
        config.send_timeout = kSendTimeout;
    };
}

LoadReport vanishing_peers(StressServer& server, const test::VethLink& link, std::size_t rounds, LoadControl& control) {
    LoadReport report;
    for (std::size_t round = 0; round < rounds; ++round) {
        if (!vanish_once(server, link, round, report, control)) {
            return report;
        }
        ++report.units;
        ++control.progress;
    }
    return report;
}

}  // namespace oneline::stress
