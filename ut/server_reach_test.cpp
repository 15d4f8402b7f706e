// Where a server can be reached and by whom: ports out of range rejected instead of wrapped
// (SRS-050), bracketed IPv6 literals (SRS-052), the addresses a server reports (SRS-055), and the
// allow-list of peers (SRS-056, SRS-057). Real sockets on loopback; the two-address host name is
// in server_every_address_test.cpp (it needs Linux namespaces).
#include "server/allow_list.hpp"
#include "support/server_fixture.hpp"

#include <oneline/client.hpp>
#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;

/// The error listen() throws for `config`, or an empty string when it throws none.
std::string listen_error(ServerConfig config, std::error_code& code) {
    Server server(std::move(config));
    try {
        server.listen();
    } catch (const Error& error) {
        code = error.code();
        return error.what();
    }
    return {};
}

/// A refused peer learns at once: the connection ends without a byte, and the command it sent
/// never reaches the callback.
void expect_refused(RawSocket& socket) {
    socket.send_all("intruder\n");  // may fail already when the close came first
    const auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(socket.wait_closed(kPatience)) << "the peer was not closed";
    EXPECT_LT(elapsed_ms(started), 1000) << "a refused peer must learn at once, not time out";
    EXPECT_EQ(socket.buffered(), "") << "a refused peer gets nothing";
}

// ---- ports out of range (SRS-050, SRS-051) ----

TEST_F(ServerTest, Server_RejectsAPortOutOfRange_InsteadOfWrappingIt_SRS050) {
    RecordProperty("srs", "SRS-050");
    for (const std::int64_t port :
         {std::int64_t{70000}, std::int64_t{65536}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min()}) {
        ServerConfig config = default_config();
        config.port = port;
        std::error_code code;
        const std::string what = listen_error(config, code);
        EXPECT_EQ(code, std::errc::invalid_argument) << port << ": " << what;
        EXPECT_NE(what.find("port " + std::to_string(port) + " is out of range 0..65535"), std::string::npos) << what;
    }
    // 70000 would have become 4464 in 16 bits: nothing listens there for it.
    ServerConfig config = default_config();
    config.port = 70000;
    Server server(config);
    EXPECT_THROW(server.start(), Error);
    EXPECT_FALSE(server.running());
    EXPECT_EQ(server.port(), 0);
    EXPECT_TRUE(server.endpoints().empty());
}

TEST_F(ServerTest, Server_TakesThePortFromAnyIntegerType) {
    ServerConfig config = default_config();
    const std::uint16_t zero = 0;
    config.port = zero;  // what user code that held a std::uint16_t does
    Server server(config);
    server.start();
    EXPECT_NE(server.port(), 0);
    server.stop();
}

TEST_F(ServerTest, Client_RejectsAPortOutOfRange_BeforeConnecting_SRS051) {
    RecordProperty("srs", "SRS-051");
    for (const std::int64_t port : {std::int64_t{70000}, std::int64_t{-1}}) {
        ClientConfig config;
        config.address = "127.0.0.1";
        config.port = port;
        Client client(config);
        try {
            client.connect(kPatience);
            ADD_FAILURE() << "connect() to port " << port << " did not throw";
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), std::errc::invalid_argument) << error.what();
            EXPECT_NE(std::string(error.what()).find("port " + std::to_string(port) + " is out of range 0..65535"),
                      std::string::npos)
                << error.what();
        }
        EXPECT_FALSE(client.connected());
    }
}

// ---- bracketed IPv6 literals (SRS-052, SRS-053) and reported endpoints (SRS-055) ----

TEST_F(ServerTest, Server_ListensOnABracketedIpv6Literal_AndReportsIt_SRS052_SRS055) {
    RecordProperty("srs", "SRS-052 SRS-055");
    start_server([](ServerConfig& config) { config.address = "[::1]"; });
    const std::string endpoint = "[::1]:" + std::to_string(server_->port());
    EXPECT_EQ(server_->endpoints(), std::vector<std::string>{endpoint});
    EXPECT_TRUE(logger_->contains("listening on " + endpoint)) << logger_->text();
    RawSocket client = connect_client("::1");
    EXPECT_EQ(ask(client, "ping"), "pong");
}

TEST_F(ServerTest, Server_ReportsOneEndpointForAnIpv4Address_SRS055) {
    RecordProperty("srs", "SRS-055");
    start_server();
    EXPECT_EQ(server_->endpoints(), std::vector<std::string>{"127.0.0.1:" + std::to_string(server_->port())});
    server_->stop();
    EXPECT_TRUE(server_->endpoints().empty()) << "a stopped server listens nowhere";
}

TEST_F(ServerTest, Client_ConnectsToABracketedIpv6Literal_SRS053) {
    RecordProperty("srs", "SRS-053");
    start_server([](ServerConfig& config) { config.address = "::1"; });
    ClientConfig config;
    config.address = "[::1]";
    config.port = server_->port();
    Client client(config);
    client.connect(kPatience);
    ASSERT_TRUE(client.send("hello"));
    EXPECT_TRUE(log_.wait_for_count(1));
    EXPECT_TRUE(client.disconnect());
}

TEST_F(ServerTest, Server_AndClient_RejectBracketsAroundAnythingButIpv6_SRS052_SRS053) {
    RecordProperty("srs", "SRS-052 SRS-053");
    for (const char* address : {"[127.0.0.1]", "[localhost]", "[::1"}) {
        ServerConfig config = default_config();
        config.address = address;
        std::error_code code;
        const std::string what = listen_error(config, code);
        EXPECT_EQ(code, Errc::unknown_host) << address << ": " << what;
        EXPECT_NE(what.find(address), std::string::npos) << what;
    }
    ClientConfig config;
    config.address = "[127.0.0.1]";
    config.port = 1;
    Client client(config);
    EXPECT_THROW(client.connect(kPatience), Error);
}

// ---- the allow-list (SRS-056, SRS-057) ----

TEST_F(ServerTest, Server_RefusesAPeerNotOnTheAllowList_AtOnceUnread_AndLogsIt_SRS056) {
    RecordProperty("srs", "SRS-056");
    start_server([](ServerConfig& config) { config.allow = {"10.0.0.0/8", "fd00::/8"}; });
    RawSocket peer = RawSocket::connect(server_->port());
    expect_refused(peer);
    EXPECT_TRUE(logger_->wait_for("refused 127.0.0.1:", kPatience)) << logger_->text();
    EXPECT_TRUE(logger_->contains("not on the allow-list")) << logger_->text();
    EXPECT_FALSE(server_->client_connected());
    EXPECT_TRUE(log_.commands().empty()) << "a refused peer's command was read";
}

TEST_F(ServerTest, Server_ServesAPeerOnTheAllowList_SRS056) {
    RecordProperty("srs", "SRS-056");
    start_server([](ServerConfig& config) { config.allow = {"10.0.0.0/8", "127.0.0.0/8"}; });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("hello\n"));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands().front().text, "hello");
}

TEST_F(ServerTest, Server_MatchesAnIpv6PeerAgainstIpv6Entries_SRS056) {
    RecordProperty("srs", "SRS-056");
    start_server([](ServerConfig& config) {
        config.address = "::1";
        config.allow = {"::1"};
    });
    RawSocket client = connect_client("::1");
    server_->stop();
    start_server([](ServerConfig& config) {
        config.address = "::1";
        config.allow = {"127.0.0.1", "::2/128"};
    });
    RawSocket refused = RawSocket::connect(server_->port(), "::1");
    expect_refused(refused);
    EXPECT_TRUE(logger_->wait_for("refused [::1]:", kPatience)) << logger_->text();
}

#ifndef _WIN32  // Windows' IPv6 sockets take no IPv4 peers by default: no mapped addresses to match
TEST_F(ServerTest, Server_MatchesAnIpv4MappedPeerAgainstIpv4Entries_SRS056) {
    RecordProperty("srs", "SRS-056");
    // A dual-stack listener sees 127.0.0.1 as ::ffff:127.0.0.1.
    start_server([](ServerConfig& config) {
        config.address = "::";
        config.allow = {"127.0.0.1/32"};
    });
    RawSocket client = connect_client("127.0.0.1");
    server_->stop();
    start_server([](ServerConfig& config) {
        config.address = "::";
        config.allow = {"127.0.0.2"};
    });
    RawSocket refused = RawSocket::connect(server_->port(), "127.0.0.1");
    expect_refused(refused);
    EXPECT_TRUE(logger_->wait_for("refused [::ffff:127.0.0.1]:", kPatience)) << logger_->text();
}
#endif

TEST_F(ServerTest, Server_WithAnEmptyAllowList_ServesEveryPeer_SRS056) {
    RecordProperty("srs", "SRS-056");
    start_server([](ServerConfig& config) { config.allow.clear(); });
    RawSocket client = connect_client();
    EXPECT_TRUE(server_->client_connected() || wait_until([&] { return server_->client_connected(); }));
}

TEST_F(ServerTest, Server_RejectsABadAllowListEntry_WhenListening_NamingIt_SRS057) {
    RecordProperty("srs", "SRS-057");
    for (const char* entry : {"localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "",
                              "10.0.0.256", " 10.0.0.1"}) {
        ServerConfig config = default_config();
        config.allow = {"127.0.0.1", entry};
        std::error_code code;
        const std::string what = listen_error(config, code);
        EXPECT_EQ(code, std::errc::invalid_argument) << "'" << entry << "': " << what;
        EXPECT_NE(what.find("allow-list entry '" + std::string(entry) + "'"), std::string::npos) << what;
    }
}

TEST(AllowList, MatchesByPrefix_AndIpv4MappedAsIpv4_SRS056) {
    RecordProperty("srs", "SRS-056");
    const auto ip = [](const char* text) {
        const auto parsed = net::parse_ip(text);
        EXPECT_TRUE(parsed) << text;
        return parsed.value_or(net::IpAddress{});
    };
    const server::AllowList list({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "[::1]", "::ffff:172.16.0.0/112"});
    EXPECT_TRUE(list.admits(ip("10.255.0.1")));
    EXPECT_FALSE(list.admits(ip("11.0.0.1")));
    EXPECT_TRUE(list.admits(ip("192.168.1.7")));
    EXPECT_FALSE(list.admits(ip("192.168.1.8")));
    EXPECT_TRUE(list.admits(ip("fd12::1")));
    EXPECT_FALSE(list.admits(ip("fe80::1")));
    EXPECT_TRUE(list.admits(ip("::1")));
    EXPECT_TRUE(list.admits(ip("::ffff:10.1.2.3"))) << "a mapped peer matches an IPv4 entry";
    EXPECT_FALSE(list.admits(ip("::ffff:11.1.2.3")));
    EXPECT_TRUE(list.admits(ip("172.16.9.9"))) << "an IPv4 peer matches a mapped entry";
    EXPECT_FALSE(list.admits(ip("172.17.0.1")));
    EXPECT_FALSE(list.admits(ip("::10.1.2.3"))) << "only ::ffff:0:0/96 is IPv4-mapped";
    EXPECT_TRUE(server::AllowList({"0.0.0.0/0"}).admits(ip("8.8.8.8")));
    EXPECT_FALSE(server::AllowList({"0.0.0.0/0"}).admits(ip("2001:db8::1")));
    EXPECT_TRUE(server::AllowList({"10.1.2.3/9"}).admits(ip("10.127.0.1"))) << "host bits past the prefix are ignored";
    EXPECT_TRUE(server::AllowList().admits(ip("2001:db8::1"))) << "empty allows all";
}

}  // namespace
}  // namespace oneline::test
