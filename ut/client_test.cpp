// oneline::Client: parameters, the connect handshake and its failures, send, recv, closing,
// logging. Against a real Server, or a raw socket standing in for one, on loopback port 0.
#include "support/recording_logger.hpp"
#include "support/server_fixture.hpp"
#include "support/wait.hpp"
#include "test/support/raw_listener.hpp"
#include "test/support/raw_socket.hpp"
#include "test/support/socket_probe.hpp"

#include <oneline/client.hpp>
#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;

/// Client tests: a Server from the fixture, or a RawListener playing one.
class ClientTest : public ServerTest {
protected:
    ClientConfig client_config(std::uint16_t port) {
        ClientConfig config;
        config.address = "127.0.0.1";
        config.port = port;
        config.logger = client_logger_;
        config.verbose = true;
        return config;
    }

    /// A Client connected to the fixture's server (started here when needed).
    Client connected_client() {
        if (!server_) {
            start_server({}, [this](std::string_view command, bool) {
                if (command != "quiet") {
                    server_->send(command == "empty" ? "" : "echo " + std::string(command));
                }
            });
        }
        Client client(client_config(server_->port()));
        client.connect();
        EXPECT_TRUE(client.connected());
        return client;
    }

    /// Connects `client` while the test plays the server on `listener`: it
    /// answers the handshake's ping with pong. Returns the server's end.
    static std::optional<RawSocket> connect_to_raw(Client& client, RawListener& listener) {
        auto connecting = std::async(std::launch::async, [&client] { client.connect(); });
        std::optional<RawSocket> server_end = listener.accept();
        if (server_end) {
            EXPECT_EQ(server_end->read_line(), "ping");
            server_end->send_all("pong\n");
        }
        connecting.get();
        return server_end;
    }

    std::shared_ptr<RecordingLogger> client_logger_ = std::make_shared<RecordingLogger>();
};

template <class Action>
std::error_code error_of(Action&& action) {
    try {
        action();
    } catch (const Error& error) {
        return error.code();
    }
    return {};
}

std::uint16_t unused_port() {
    RawListener listener;
    return listener.port();
}

// ---- parameters (SRS-002) ----

TEST_F(ClientTest, Client_RefusesToConnect_NamingEachMissingParameter_SRS002) {
    using Names = std::vector<std::string>;
    const auto names_missing = [](ClientConfig config) {
        Client client(std::move(config));
        try {
            client.connect(100ms);
        } catch (const MissingParameters& error) {
            for (const auto& name : error.names()) {
                EXPECT_NE(std::string(error.what()).find(name), std::string::npos) << error.what();
            }
            return error.names();
        }
        ADD_FAILURE() << "connect() did not throw MissingParameters";
        return Names{};
    };
    EXPECT_EQ(names_missing(ClientConfig{}), (Names{"address", "port"}));
    ClientConfig no_port = client_config(1);
    no_port.port.reset();
    EXPECT_EQ(names_missing(no_port), (Names{"port"}));
    ClientConfig no_address = client_config(1);
    no_address.address.clear();
    EXPECT_EQ(names_missing(no_address), (Names{"address"}));
    EXPECT_TRUE(client_config(1).missing_parameters().empty());
}

// ---- connect (SRS-011) ----

TEST_F(ClientTest, Client_Connects_ConfirmedByPingPong_SRS011) {
    RawListener listener;
    Client client(client_config(listener.port()));
    EXPECT_FALSE(client.connected());
    const auto server_end = connect_to_raw(client, listener);  // fails unless the client sent exactly "ping\n"
    ASSERT_TRUE(server_end);
    EXPECT_TRUE(client.connected());
    EXPECT_EQ(server_end->buffered(), "") << "nothing but the handshake was sent";
}

TEST_F(ClientTest, Client_ConnectsToRealServer) {
    Client client = connected_client();
    EXPECT_TRUE(wait_until([this] { return server_->client_connected(); }));
    EXPECT_TRUE(log_.commands().empty()) << "the handshake ping never reaches the callback";
}

TEST_F(ClientTest, Client_ConnectFailsPromptly_WhenServerAbsent) {
    RecordProperty("srs", "SRS-028");
    Client client(client_config(unused_port()));
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([&] { client.connect(); }), std::errc::connection_refused);
    EXPECT_LT(elapsed_ms(begin), 1000);
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, Client_ConnectFailsPromptly_WithServerBusy_WhenAnotherClientIsServed) {
    RecordProperty("srs", "SRS-028");
    Client first = connected_client();
    Client second(client_config(server_->port()));
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([&] { second.connect(); }), make_error_code(Errc::server_busy));
    const auto took = elapsed_ms(begin);
    std::printf("busy server reported after %lld ms\n", took);
    EXPECT_LT(took, 1000);
    EXPECT_FALSE(second.connected());
    EXPECT_TRUE(first.send("still here"));
    EXPECT_EQ(first.recv(kPatience), "echo still here");
}

TEST_F(ClientTest, Client_ConnectFailsWithTimedOut_WhenServerSilent) {
    RecordProperty("srs", "SRS-028");
    RawListener listener;  // the kernel completes the TCP handshake; nobody ever answers
    Client client(client_config(listener.port()));
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([&] { client.connect(300ms); }), std::errc::timed_out);
    const auto took = elapsed_ms(begin);
    EXPECT_GE(took, 280);
    EXPECT_LT(took, 2000);
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, Client_ConnectFails_WhenServerAnswersHandshakeWrongly) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto connecting = std::async(std::launch::async, [&] { return error_of([&] { client.connect(); }); });
    auto server_end = listener.accept();
    ASSERT_TRUE(server_end);
    ASSERT_EQ(server_end->read_line(), "ping");
    server_end->send_all("hello\n");
    EXPECT_EQ(connecting.get(), make_error_code(Errc::handshake_failed));
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(server_end->wait_closed());
}

TEST_F(ClientTest, Client_ConnectFails_WhenHostUnknown) {
    ClientConfig config = client_config(1);
    config.address = "no-such-host.invalid";
    Client client(config);
    EXPECT_EQ(error_of([&] { client.connect(); }), make_error_code(Errc::unknown_host));
}

TEST_F(ClientTest, Client_ConnectsOverIpv6) {
    start_server([](ServerConfig& config) { config.address = "::1"; });
    ClientConfig config = client_config(server_->port());
    config.address = "::1";
    Client client(config);
    client.connect();
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(client.send("ping"));
    EXPECT_EQ(client.recv(kPatience), "pong");
}

TEST_F(ClientTest, Client_ConnectWhileConnected_DisconnectsFirst) {
    Client client = connected_client();
    client.connect();
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(logger_->wait_for("sent disconnect", kPatience)) << logger_->text();
    EXPECT_TRUE(client.send("again"));
    EXPECT_EQ(client.recv(kPatience), "echo again");
}

// ---- send (SRS-013, SRS-014) ----

TEST_F(ClientTest, Client_SendAppendsLineFeed_SRS014) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    EXPECT_TRUE(client.send("hello world"));
    EXPECT_TRUE(client.send(""));
    EXPECT_EQ(server_end->read_line(), "hello world") << "no CR, no trailing space";
    EXPECT_EQ(server_end->read_line(), "");
}

TEST_F(ClientTest, Client_SendsCommandAndReceivesResponse_SRS013_SRS015) {
    Client client = connected_client();
    EXPECT_TRUE(client.send("hello"));
    EXPECT_EQ(client.recv(kPatience), "echo hello");
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (std::vector<ReceivedCommand>{{"hello"}}));
}

TEST_F(ClientTest, Client_SendWhileNotConnected_ThrowsNotConnected) {
    Client client(client_config(unused_port()));
    EXPECT_EQ(error_of([&] { client.send("hello"); }), make_error_code(Errc::not_connected));
}

TEST_F(ClientTest, Client_SendAfterServerWentAway_ReturnsFalseAndDisconnects) {
    Client client = connected_client();
    server_->stop();
    bool sent = true;
    for (int attempt = 0; attempt < 100 && sent; ++attempt) {
        sent = client.send("anyone there");  // the first may still be buffered by the kernel
    }
    EXPECT_FALSE(sent);
    EXPECT_FALSE(client.connected());
}

// ---- send timeout (SRS-048) ----

TEST_F(ClientTest, Client_SendTimeout_DefaultsToTheServersSendTimeout) {
    RecordProperty("srs", "SRS-048");
    EXPECT_EQ(ClientConfig{}.send_timeout, ServerConfig{}.send_timeout);
    EXPECT_EQ(ClientConfig{}.send_timeout, 10s);
}

TEST_F(ClientTest, Client_SendFailsWithTimedOutAndCloses_WhenServerStopsReading) {
    RecordProperty("srs", "SRS-048");
    RawListener listener;  // plays a server that answers the handshake, then never reads again
    ClientConfig config = client_config(listener.port());
    config.send_timeout = 200ms;
    Client client(config);
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    const std::string command(256 * 1024, 'x');
    // Loopback buffers hold tens of MiB at most: far fewer than this many commands fill them.
    constexpr int kMaxCommands = 1000;
    std::string message;
    std::error_code error;
    long long took = 0;
    for (int i = 0; i < kMaxCommands && !error; ++i) {
        const auto begin = std::chrono::steady_clock::now();
        try {
            EXPECT_TRUE(client.send(command)) << "command " << i << ": found the server gone, yet it never closes";
        } catch (const Error& failure) {
            error = failure.code();
            message = failure.what();
        }
        took = elapsed_ms(begin);
    }
    ASSERT_EQ(error, std::errc::timed_out) << message;
    EXPECT_GE(took, 200) << "the send waited for the whole timeout";
    EXPECT_LT(took, kPatience.count());
    EXPECT_FALSE(client.connected()) << "part of a command may be on the wire: the stream cannot go on";
    const std::string where = "127.0.0.1:" + std::to_string(listener.port());
    EXPECT_NE(message.find(where), std::string::npos) << message;
    EXPECT_NE(message.find("200 ms"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(command.size()) + " bytes"), std::string::npos) << message;
    EXPECT_EQ(message.find(std::string(61, 'x')), std::string::npos) << "at most 60 bytes of the command are quoted";
    EXPECT_LT(message.size(), 400U) << message;
    EXPECT_TRUE(client_logger_->contains("disconnected from " + where)) << client_logger_->text();
    EXPECT_TRUE(server_end->wait_closed()) << "the server's end sees the connection end";
    EXPECT_EQ(error_of([&] { client.send("again"); }), make_error_code(Errc::not_connected));
}

TEST_F(ClientTest, Client_DisconnectGivesUpWithinItsTimeout_WhenServerTakesNothing) {
    RecordProperty("srs", "SRS-048");
    RawListener listener;  // plays a server that answers the handshake, then never reads again
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    // The client's socket, whose send buffer the test fills behind its back: the public API reaches
    // that state only through a send that then times out and closes.
    const native::Handle client_socket = find_socket(0, listener.port());
    ASSERT_NE(client_socket, native::kNoHandle);
    ASSERT_GT(fill_send_buffer(client_socket), 0U);  // `disconnect` finds no room
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_FALSE(client.disconnect(300ms)) << "the server never took the command";
    const auto took = elapsed_ms(begin);
    EXPECT_GE(took, 300);
    EXPECT_LT(took, kPatience.count()) << "bounded by the disconnect's timeout, not the 10 s send timeout";
    EXPECT_FALSE(client.connected());
}

// ---- recv (SRS-015) ----

TEST_F(ClientTest, Client_RecvTimeout_IsDistinctFromEmptyResponse) {
    RecordProperty("srs", "SRS-027");
    Client client = connected_client();
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(client.recv(100ms), std::nullopt) << "nothing was sent: a timeout";
    EXPECT_GE(elapsed_ms(begin), 90);
    EXPECT_TRUE(client.connected()) << "a timeout does not close";
    ASSERT_TRUE(client.send("empty"));
    const auto response = client.recv(kPatience);
    ASSERT_TRUE(response.has_value()) << "an empty response is a response";
    EXPECT_EQ(*response, "");
}

TEST_F(ClientTest, Client_RecvKeepsPartialResponse_ForNextCall) {
    RecordProperty("srs", "SRS-027");
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    ASSERT_TRUE(server_end->send_all("ab"));
    EXPECT_EQ(client.recv(100ms), std::nullopt);
    ASSERT_TRUE(server_end->send_all("c\nd"));
    EXPECT_EQ(client.recv(kPatience), "abc");
    ASSERT_TRUE(server_end->send_all("e\n"));
    EXPECT_EQ(client.recv(kPatience), "de");
}

TEST_F(ClientTest, Client_RecvReturnsResponsesInOrder_FromOneSegment) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    ASSERT_TRUE(server_end->send_all("one\ntwo\n\nthree\n"));
    for (const char* expected : {"one", "two", "", "three"}) {
        EXPECT_EQ(client.recv(kPatience), expected);
    }
}

TEST_F(ClientTest, Client_RecvReturnsAtOnce_WhenServerCloses) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    auto closing = std::async(std::launch::async, [&] { server_end->close(); });
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(client.recv(10s), std::nullopt);
    EXPECT_LT(elapsed_ms(begin), 1000) << "the close is seen at once, not after the timeout";
    EXPECT_FALSE(client.connected());
    closing.get();
    const auto again = std::chrono::steady_clock::now();
    EXPECT_EQ(client.recv(10s), std::nullopt);
    EXPECT_LT(elapsed_ms(again), 100) << "not connected: returns at once";
}

TEST_F(ClientTest, Client_RecvDeliversBufferedResponses_BeforeReportingClose) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    ASSERT_TRUE(server_end->send_all("last\nwords\nunfinish"));
    server_end->close();
    EXPECT_EQ(client.recv(kPatience), "last");
    EXPECT_EQ(client.recv(kPatience), "words");
    EXPECT_EQ(client.recv(kPatience), std::nullopt) << "an unfinished response is not returned";
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, Client_RecvIntoAString_FillsItOrLeavesItAsItWas) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    std::string response = "before";
    EXPECT_FALSE(client.recv(response, 50ms)) << "nothing was sent: a timeout";
    EXPECT_EQ(response, "before");
    ASSERT_TRUE(server_end->send_all("a long first response, longer than any short-string buffer\r\n\nthird\npart"));
    ASSERT_TRUE(client.recv(response, kPatience));
    EXPECT_EQ(response, "a long first response, longer than any short-string buffer");
    ASSERT_TRUE(client.recv(response, kPatience)) << "an empty response is a response";
    EXPECT_EQ(response, "");
    ASSERT_TRUE(client.recv(response, 0ms)) << "buffered: no waiting needed";
    EXPECT_EQ(response, "third");
    server_end->close();
    EXPECT_FALSE(client.recv(response, kPatience)) << "an unfinished response is not returned";
    EXPECT_EQ(response, "third");
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, Client_ConnectedTurnsFalse_WhenServerDropsIt) {
    start_server([](ServerConfig& config) { config.idle_timeout = 100ms; });
    Client client(client_config(server_->port()));
    client.connect();
    EXPECT_EQ(client.recv(kPatience), std::nullopt);
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, Client_StripsOneTrailingCr_KeepsTheRestAsSent) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    ASSERT_TRUE(server_end->send_all("a\r\nb\r\r\n  spaced  \nx\ry\n\xc3\xa9\xff\n"));
    EXPECT_EQ(client.recv(kPatience), "a");
    EXPECT_EQ(client.recv(kPatience), "b\r");
    EXPECT_EQ(client.recv(kPatience), "  spaced  ");
    EXPECT_EQ(client.recv(kPatience), "x\ry");
    EXPECT_EQ(client.recv(kPatience), "\xc3\xa9\xff");
}

TEST_F(ClientTest, Client_ClosesConnection_WhenResponseTooLong) {
    RawListener listener;
    ClientConfig config = client_config(listener.port());
    config.max_line_length = 8;
    Client client(config);
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    ASSERT_TRUE(server_end->send_all("12345678\n123456789"));
    EXPECT_EQ(client.recv(kPatience), "12345678") << "exactly the limit is fine";
    EXPECT_EQ(client.recv(kPatience), std::nullopt);
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(server_end->wait_closed());
    EXPECT_TRUE(client_logger_->contains("longer than 8 bytes")) << client_logger_->text();
}

TEST_F(ClientTest, Client_ClosesConnection_WhenAWholeResponseInOneReadIsTooLong) {
    RawListener listener;
    ClientConfig config = client_config(listener.port());
    config.max_line_length = 8;
    Client client(config);
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    // One segment: the long response is complete and followed by a short one, which never comes.
    ASSERT_TRUE(server_end->send_all("1234\n123456789\nabc\n"));
    EXPECT_EQ(client.recv(kPatience), "1234") << "the response before the long one is kept";
    EXPECT_EQ(client.recv(kPatience), std::nullopt);
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(client_logger_->contains("longer than 8 bytes")) << client_logger_->text();
}

TEST_F(ClientTest, Client_ClosesConnection_WhenResponseSpanningReadsPassesALargeLimit) {
    // A limit above one read's size: the response that passes it spans several reads.
    constexpr std::size_t kLimit = 200 * 1000;
    RawListener listener;
    ClientConfig config = client_config(listener.port());
    config.max_line_length = kLimit;
    Client client(config);
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    const std::string at_limit(kLimit, 'a');
    ASSERT_TRUE(server_end->send_all("ok\n" + at_limit + "\nb\n" + std::string(kLimit + 1, 'c') + "\nnever\n"));
    EXPECT_EQ(client.recv(kPatience), "ok");
    EXPECT_EQ(client.recv(kPatience), at_limit) << "exactly the limit is fine";
    EXPECT_EQ(client.recv(kPatience), "b");
    EXPECT_EQ(client.recv(kPatience), std::nullopt);
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(client_logger_->contains("longer than 200000 bytes")) << client_logger_->text();
}

// ---- disconnect, shutdown (SRS-012) ----

TEST_F(ClientTest, Client_Disconnect_SendsDisconnectAndCloses_SRS012) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    client.disconnect();
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(server_end->read_line(), "disconnect");
    EXPECT_TRUE(server_end->wait_closed());
}

TEST_F(ClientTest, Client_Disconnect_LetsAnotherClientConnect) {
    Client first = connected_client();
    first.disconnect();
    Client second(client_config(server_->port()));
    second.connect();
    EXPECT_TRUE(second.connected());
}

TEST_F(ClientTest, Client_Shutdown_StopsServer) {
    Client client = connected_client();
    client.shutdown();
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(server_->wait_until_stopped(kPatience));
}

TEST_F(ClientTest, Client_DisconnectAndShutdown_AreSafe_WhenNotConnected) {
    Client client(client_config(unused_port()));
    EXPECT_NO_THROW(client.disconnect());
    EXPECT_NO_THROW(client.shutdown());
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientTest, Client_MovedTo_KeepsTheConnection) {
    Client client = connected_client();
    Client moved(std::move(client));
    EXPECT_TRUE(moved.connected());
    EXPECT_TRUE(moved.send("moved"));
    EXPECT_EQ(moved.recv(kPatience), "echo moved");
}

// ---- logging ----

TEST_F(ClientTest, Client_LogsToLogger_WhenVerbose) {
    Client client = connected_client();
    client.disconnect();
    const std::string where = "127.0.0.1:" + std::to_string(server_->port());
    EXPECT_TRUE(client_logger_->contains("connected to " + where)) << client_logger_->text();
    EXPECT_TRUE(client_logger_->contains("disconnected from " + where)) << client_logger_->text();
}

TEST_F(ClientTest, Client_LogsToStdoutWithPrefix_WhenVerboseWithoutLogger) {
    start_server([](ServerConfig& config) { config.verbose = false; });
    ClientConfig config = client_config(server_->port());
    config.logger = nullptr;
    testing::internal::CaptureStdout();
    {
        Client client(config);
        client.connect();
        client.disconnect();
    }
    const std::string output = testing::internal::GetCapturedStdout();
    EXPECT_NE(output.find("oneline clnt: connected to 127.0.0.1:"), std::string::npos) << output;
    EXPECT_NE(output.find("oneline clnt: disconnected from 127.0.0.1:"), std::string::npos) << output;
}

TEST_F(ClientTest, Client_LogsNothing_WhenNotVerbose) {
    start_server([](ServerConfig& config) { config.verbose = false; });
    ClientConfig config = client_config(server_->port());
    config.verbose = false;
    testing::internal::CaptureStdout();
    {
        Client client(config);
        client.connect();
        client.disconnect();
        config.logger = nullptr;
        Client without_logger(config);
        without_logger.connect();
        without_logger.disconnect();
    }
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
    EXPECT_TRUE(client_logger_->lines().empty()) << client_logger_->text();
}

TEST_F(ClientTest, Client_ShutdownIsNotLost_WhenResponsesWereLeftUnread) {
    // Closing with unread responses resets the connection; the reset must not overtake the command.
    const std::string command(1000, 'e');
    for (int round = 0; round < 10; ++round) {
        Server* server = nullptr;
        ServerConfig config = default_config();
        config.callback = [&server](std::string_view received, bool) { server->send(received); };
        Server echo(config);
        server = &echo;
        echo.start();
        Client client(client_config(echo.port()));
        client.connect();
        for (int i = 0; i < 300; ++i) {
            ASSERT_TRUE(client.send(command));  // 300 KB of echoes, none read
        }
        client.shutdown();
        ASSERT_TRUE(echo.wait_until_stopped(kPatience)) << "round " << round << ": the shutdown was lost";
    }
}

TEST_F(ClientTest, Client_RecvWithLargestTimeout_WaitsForTheResponse) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto server_end = connect_to_raw(client, listener);
    ASSERT_TRUE(server_end);
    auto received = std::async(std::launch::async, [&client] { return client.recv(std::chrono::milliseconds::max()); });
    EXPECT_EQ(received.wait_for(200ms), std::future_status::timeout) << "a huge timeout must not wrap into the past";
    ASSERT_TRUE(server_end->send_all("late\n"));
    EXPECT_EQ(received.get(), "late");
}

}  // namespace
}  // namespace oneline::test
