// oneline::Server, a client whose host vanishes while a response is in flight (SRS-043): the TCP
// user timeout frees the slot. Server and peer live in two network namespaces of the test's own,
// joined by a veth pair; taking the peer's link down makes it vanish without a word (loopback
// would answer with a reset). Needs root and `ip`; skipped, with the reason, where they are missing.
#include "support/recording_logger.hpp"
#include "support/veth_link.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include <sys/ioctl.h>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kUserTimeout = 2s;
// The user timeout fires on the next retransmission or window probe after it: some slack.
constexpr std::chrono::milliseconds kDropBound = kUserTimeout + 20s;
constexpr std::size_t kAnswerBytes = 4 * 1024 * 1024;

/// Bytes waiting unread in `socket`'s receive buffer.
int unread_bytes(const RawSocket& socket) {
    int count = 0;
    return ::ioctl(socket.fd(), FIONREAD, &count) == 0 ? count : 0;
}

TEST(ServerVanishedPeer, Server_FreesTheSlot_WithinTheUserTimeout_WhenAPeerVanishesWithAnAnswerInFlight_SRS043) {
    RecordProperty("srs", "SRS-043");
    std::string why_not;
    const auto link = VethLink::create(why_not);
    if (!link) {
        GTEST_SKIP() << "no network namespaces for a vanishing peer: " << why_not;
    }
    using Side = VethLink::Side;
    const auto connect_from = [&](Side side, std::uint16_t port) {
        RawSocket socket;
        link->run_in(side, [&] { socket = RawSocket::connect(port, VethLink::server_address()); });
        return socket;
    };

    const auto logger = std::make_shared<RecordingLogger>();
    const std::string answer(kAnswerBytes, 'v');
    Server* serving = nullptr;
    ServerConfig config;
    config.address = VethLink::server_address();
    config.port = 0;
    config.logger = logger;
    config.verbose = true;
    config.user_timeout = kUserTimeout;
    // Far beyond the bound, so that only the user timeout can free the slot in time.
    config.send_timeout = 10min;
    config.callback = [&](std::string_view, bool) { serving->send(answer); };
    Server server(std::move(config));
    serving = &server;
    link->run_in(Side::server, [&] { server.start(); });  // its sockets live on the server's side
    const std::uint16_t port = server.port();

    RawSocket peer = connect_from(Side::peer, port);
    ASSERT_TRUE(peer.send_all("ping\n"));
    ASSERT_EQ(peer.read_line(), "pong");
    ASSERT_TRUE(peer.send_all("large\n"));  // then reads nothing: the answer fills its window
    ASSERT_TRUE(wait_until([&] { return unread_bytes(peer) > 0; })) << "the answer never started";

    // While the peer is there, the slot is taken: a second client is closed at once.
    RawSocket second = connect_from(Side::server, port);
    EXPECT_TRUE(second.wait_closed()) << "a second client was served while the peer held the slot";

    ASSERT_TRUE(link->set_peer_link(false, why_not)) << why_not;
    const auto vanished = std::chrono::steady_clock::now();
    const bool freed = wait_until([&] { return !server.client_connected(); }, kDropBound);
    const long long taken_ms = elapsed_ms(vanished);
    RecordProperty("slot_taken_after_vanishing_ms", std::to_string(taken_ms));
    std::cout << "[ vanished ] the slot stayed taken " << taken_ms / 1000.0
              << " s after the peer vanished (user timeout " << kUserTimeout.count() / 1000.0 << " s)" << std::endl;
    ASSERT_TRUE(freed) << "the server still holds the vanished peer after " << taken_ms << " ms\n" << logger->text();
    EXPECT_GE(taken_ms, kUserTimeout.count() / 2) << "freed too soon to be the user timeout\n" << logger->text();
    EXPECT_TRUE(logger->contains(std::strerror(ETIMEDOUT))) << "dropped for another reason\n" << logger->text();

    // A new client (over the server side's loopback) is served at once.
    RawSocket next = connect_from(Side::server, port);
    ASSERT_TRUE(next.send_all("ping\n"));
    EXPECT_EQ(next.read_line(), "pong") << logger->text();
}

}  // namespace
}  // namespace oneline::test
