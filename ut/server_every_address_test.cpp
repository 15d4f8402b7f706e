// oneline::Server on a host name with several addresses (SRS-054, SRS-055): one listener per
// address, all on one port, one client at a time across them. The name is made in a private
// mount namespace whose /etc/hosts the test writes (this host may map localhost to 127.0.0.1
// only); the ephemeral-port retry runs in a private network namespace with a tiny port range.
// Linux only; skipped, with the reason, where the namespaces cannot be made.
#include "net/address.hpp"
#include "support/private_hosts.hpp"
#include "support/server_fixture.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>

namespace oneline::test {
namespace {

constexpr const char* kTwoAddresses = "127.0.0.1 localhost\n::1 localhost\n";

class EveryAddressTest : public ServerTest {
protected:
    /// Runs `body` where /etc/hosts is `hosts`; skips the test when that cannot be arranged.
    void with_hosts(const std::string& hosts, const std::function<void()>& body, bool own_network = false,
                    const std::string& port_range = {}) {
        std::string why_not;
        if (!run_with_private_hosts({hosts, own_network, port_range}, body, why_not)) {
            GTEST_SKIP() << "no private mount namespace here: " << why_not;
        }
    }

    std::vector<std::string> sorted_endpoints() const {
        std::vector<std::string> endpoints = server_->endpoints();
        std::sort(endpoints.begin(), endpoints.end());
        return endpoints;
    }
};

TEST_F(EveryAddressTest, Server_ListensOnEveryAddressOfAName_OnOnePort_AndReportsEach_SRS054_SRS055) {
    RecordProperty("srs", "SRS-054 SRS-055");
    with_hosts(kTwoAddresses, [&] { start_server([](ServerConfig& config) { config.address = "localhost"; }); });
    if (!server_) {
        return;  // skipped
    }
    const std::string port = std::to_string(server_->port());
    EXPECT_EQ(sorted_endpoints(), (std::vector<std::string>{"127.0.0.1:" + port, "[::1]:" + port}));
    EXPECT_TRUE(logger_->contains("127.0.0.1:" + port)) << logger_->text();
    EXPECT_TRUE(logger_->contains("[::1]:" + port)) << logger_->text();
    for (const char* host : {"127.0.0.1", "::1", "127.0.0.1"}) {
        RawSocket client = connect_client(host);
        ASSERT_TRUE(client.send_all(std::string("from ") + host + "\n"));
        ASSERT_TRUE(client.send_all("disconnect\n"));
        EXPECT_TRUE(client.wait_closed(kPatience)) << host;
    }
    ASSERT_TRUE(log_.wait_for_count(3));
    EXPECT_EQ(log_.commands()[1].text, "from ::1");
}

TEST_F(EveryAddressTest, Server_ServesOneClientAtATimeAcrossEveryAddress_SRS054) {
    RecordProperty("srs", "SRS-054");
    with_hosts(kTwoAddresses, [&] { start_server([](ServerConfig& config) { config.address = "localhost"; }); });
    if (!server_) {
        return;
    }
    for (const auto& [first, second] : {std::pair{"127.0.0.1", "::1"}, std::pair{"::1", "127.0.0.1"}}) {
        RawSocket client = connect_client(first);
        RawSocket other = RawSocket::connect(server_->port(), second);
        other.send_all("intruder\n");  // may fail already when the close came first
        EXPECT_TRUE(other.wait_closed(kPatience)) << second << " was served beside " << first;
        EXPECT_EQ(other.buffered(), "");
        EXPECT_EQ(ask(client, "ping"), "pong") << "the client keeps its slot";
        ASSERT_TRUE(client.send_all("disconnect\n"));
        EXPECT_TRUE(client.wait_closed(kPatience));
    }
    EXPECT_TRUE(logger_->contains("refused [::1]:")) << logger_->text();
    EXPECT_TRUE(logger_->contains("refused 127.0.0.1:")) << logger_->text();
    for (const auto& command : log_.commands()) {
        EXPECT_NE(command.text, "intruder") << "a refused client was read";
    }
}

TEST_F(EveryAddressTest, Server_ListensOnceOnAnAddressNamedTwice_SRS054) {
    RecordProperty("srs", "SRS-054");
    with_hosts("127.0.0.1 localhost\n::1 localhost\n127.0.0.1 localhost\n::1 localhost\n",
               [&] { start_server([](ServerConfig& config) { config.address = "localhost"; }); });
    if (!server_) {
        return;
    }
    EXPECT_EQ(server_->endpoints().size(), 2U) << logger_->text();
}

TEST_F(EveryAddressTest, Server_FailsNamingTheAddress_WhenItsPortIsTakenThere_AndKeepsNoneOfTheOthers_SRS054) {
    RecordProperty("srs", "SRS-054");
    // The port is free on 127.0.0.1 and taken on ::1.
    const net::Socket taken = net::listen_tcp("::1", 0, "::1", true);
    const std::uint16_t port = net::local_port(taken.get());
    bool ran = false;
    with_hosts(kTwoAddresses, [&] {
        ran = true;
        ServerConfig config = default_config();
        config.address = "localhost";
        config.port = port;
        Server server(config);
        try {
            server.listen();
            ADD_FAILURE() << "listening on a port taken on ::1 succeeded";
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), std::errc::address_in_use) << error.what();
            const std::string what = error.what();
            EXPECT_NE(what.find("[::1]:" + std::to_string(port) + " (an address of localhost)"), std::string::npos)
                << what;
        }
        EXPECT_EQ(server.port(), 0);
    });
    if (!ran) {
        return;
    }
    // Nothing was left listening on 127.0.0.1 for it: the port can be bound there at once.
    EXPECT_NO_THROW(net::listen_tcp("127.0.0.1", port, "127.0.0.1", false));
}

TEST_F(EveryAddressTest, Server_WithPort0_TriesANewPortWhenTheFirstIsTakenOnAnotherAddress_SRS054) {
    RecordProperty("srs", "SRS-054");
    // Four ephemeral ports only (Linux searches an odd-sized range short of its last port), in a
    // network of the test's own: the port the first address gets is taken on the second one, so
    // only a retry on another port can bind both; the rest are left for the client's end.
    with_hosts(
        kTwoAddresses,
        [&] {
            const std::vector<std::string> addresses = net::listen_addresses("localhost");
            ASSERT_EQ(addresses.size(), 2U);
            std::uint16_t first_pick = 0;
            {
                const net::Socket probe = net::listen_tcp(addresses[0], 0, "localhost", true);
                first_pick = net::local_port(probe.get());
            }
            const net::Socket taken = net::listen_tcp(addresses[1], first_pick, "localhost", true);
            for (int run = 0; run < 3; ++run) {
                start_server([](ServerConfig& config) { config.address = "localhost"; });
                EXPECT_NE(server_->port(), first_pick) << "run " << run;
                EXPECT_EQ(server_->endpoints().size(), 2U);
                RawSocket client = connect_client(addresses[1] == "::1" ? "::1" : "127.0.0.1");
                server_->stop();
            }
        },
        true, "40000 40003");
}

TEST_F(EveryAddressTest, Server_WithPort0_FailsAfterItsRetries_WhenNoPortIsFreeOnEveryAddress_SRS054) {
    RecordProperty("srs", "SRS-054");
    with_hosts(
        kTwoAddresses,
        [&] {
            const std::vector<std::string> addresses = net::listen_addresses("localhost");
            ASSERT_EQ(addresses.size(), 2U);
            const net::Socket taken = net::listen_tcp(addresses[1], 40000, "localhost", true);
            ServerConfig config = default_config();
            config.address = "localhost";
            Server server(config);
            try {
                server.listen();
                ADD_FAILURE() << "listening succeeded with the only ephemeral port taken on " << addresses[1];
            } catch (const Error& error) {
                EXPECT_EQ(error.code(), std::errc::address_in_use) << error.what();
                EXPECT_NE(std::string(error.what()).find("an address of localhost"), std::string::npos) << error.what();
            }
        },
        true, "40000 40000");
}

TEST_F(EveryAddressTest, Server_SteppedByAHostWaitingOnItsDescriptor_ServesEveryAddress_SRS054_SRS074) {
    RecordProperty("srs", "SRS-054 SRS-074");
    // The wait descriptor watches each listener: a host that sleeps in its own wait on it alone
    // learns of a newcomer on either address.
    ServerConfig config = default_config();
    config.address = "localhost";
    server_ = std::make_unique<Server>(config);
    with_hosts(kTwoAddresses, [&] { server_->listen(); });
    if (server_->port() == 0) {
        return;  // skipped
    }
    ASSERT_EQ(server_->endpoints().size(), 2U);
    int descriptor = -1;
    try {
        descriptor = server_->wait_descriptor();  // made here, before the host's thread uses it
    } catch (const Error& error) {
        if (error.code() == std::errc::function_not_supported) {
            GTEST_SKIP() << "no wait descriptor on this platform build: " << error.what();
        }
        throw;
    }
    std::thread host([&] {
        for (;;) {
            pollfd entry{descriptor, POLLIN, 0};
            if (::poll(&entry, 1, -1) < 0) {
                return;
            }
            if (server_->serve_once(std::chrono::milliseconds(0)) == ServeStatus::stopped) {
                return;
            }
        }
    });
    for (const char* address : {"::1", "127.0.0.1", "::1"}) {
        RawSocket client = connect_client(address);
        ASSERT_TRUE(client.send_all(std::string("from ") + address + "\ndisconnect\n"));
        EXPECT_TRUE(client.wait_closed(kPatience)) << address;
    }
    server_->request_stop();
    host.join();
    ASSERT_TRUE(log_.wait_for_count(3));
    EXPECT_EQ(log_.commands()[0].text, "from ::1");
    EXPECT_EQ(log_.commands()[1].text, "from 127.0.0.1");
}

}  // namespace
}  // namespace oneline::test
