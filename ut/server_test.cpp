// oneline::Server, protocol behaviour: built-ins, framing and decoding on the wire, the
// callback, send, one client at a time, abrupt clients, limits. Real loopback sockets, port 0.
#include "support/server_fixture.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"
#include "test/support/socket_probe.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using Commands = std::vector<ReceivedCommand>;

// ---- built-ins (SRS-004, SRS-005, SRS-006) ----

TEST_F(ServerTest, Server_AnswersPingWithPong_SRS004) {
    start_server();
    RawSocket client = RawSocket::connect(server_->port());
    EXPECT_EQ(ask(client, "ping"), "pong");
    EXPECT_EQ(ask(client, "ping"), "pong");
    EXPECT_TRUE(log_.commands().empty()) << "ping never reaches the callback";
}

TEST_F(ServerTest, Server_LogsEachPing_WhenVerbose) {
    start_server();
    RawSocket client = RawSocket::connect(server_->port());
    EXPECT_EQ(ask(client, "ping"), "pong");
    EXPECT_EQ(ask(client, "ping"), "pong");
    std::size_t logged = 0;
    for (const std::string& line : logger_->lines()) {
        logged += line == "'ping' -> 1 response (built-in)" ? 1 : 0;
    }
    EXPECT_EQ(logged, 2U) << "one line per ping, logged before its pong is written\n" << logger_->text();
}

TEST_F(ServerTest, Server_ClosesClient_OnDisconnect_AndServesNextClient_SRS005) {
    start_server();
    RawSocket first = connect_client();
    ASSERT_TRUE(first.send_all("disconnect\n"));
    EXPECT_TRUE(first.wait_closed());
    EXPECT_TRUE(server_->running());
    RawSocket second = connect_client();
    EXPECT_EQ(ask(second, "ping"), "pong");
    EXPECT_TRUE(log_.commands().empty());
}

TEST_F(ServerTest, Server_EndsConnectionWithoutReset_WhenUnreadInputFollowsDisconnect) {
    start_server();
    RawSocket client = connect_client();
    // More than one read of the server's: the rest is still unread in its kernel buffer at the close.
    const std::string trailing(96 * 1024, 'x');
    ASSERT_TRUE(client.send_all("ping\ndisconnect\n" + trailing));
    EXPECT_EQ(client.read_line(), "pong");
    // Then an orderly end of stream: a reset could have discarded responses still in flight.
    std::string rest;
    EXPECT_EQ(client.read_some(rest, kPatience), Io::closed) << "no end of stream";
    EXPECT_EQ(rest, "") << "unexpected data";
    EXPECT_FALSE(client.broken()) << "a reset instead of an end of stream";
}

TEST_F(ServerTest, Server_ClosesClientAndStops_OnShutdown_SRS006) {
    start_server();
    const auto port = server_->port();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("shutdown\n"));
    EXPECT_TRUE(client.wait_closed());
    EXPECT_TRUE(server_->wait_until_stopped(kPatience));
    EXPECT_FALSE(server_->running());
    EXPECT_THROW(RawSocket::connect(port), std::runtime_error) << "the listener must be closed: refused at once";
}

TEST_F(ServerTest, Server_AnswersRepliesOwed_BeforeClosingOnDisconnect) {
    start_server({}, [this](std::string_view command, bool) { server_->send("ack " + std::string(command)); });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("one\nping\ndisconnect\nnever-read\n"));
    EXPECT_EQ(client.read_line(), "ack one");
    EXPECT_EQ(client.read_line(), "pong");
    EXPECT_TRUE(client.wait_closed());
    EXPECT_EQ(log_.commands(), (Commands{{"one"}})) << "nothing after disconnect is read";
}

// ---- invalid commands (SRS-007) ----

TEST_F(ServerTest, Server_FlagsCommandWithHighBytes_AndDropsThem_SRS007) {
    start_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("caf\xc3\xa9\n"));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (Commands{{"caf", true}}));
}

TEST_F(ServerTest, Server_InvalidCommand_NeverTriggersBuiltins) {
    RecordProperty("srs", "SRS-020");
    start_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(
        client.send_all("pi\xffng\ndisconnect\x80\nshut\xfe"
                        "down\n"));
    ASSERT_TRUE(log_.wait_for_count(3));
    EXPECT_EQ(log_.commands(), (Commands{{"ping", true}, {"disconnect", true}, {"shutdown", true}}));
    EXPECT_EQ(ask(client, "ping"), "pong") << "still connected: no built-in ran";
    EXPECT_TRUE(server_->running());
}

TEST_F(ServerTest, Server_MatchesBuiltinsExactly) {
    start_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("PING\n ping\nping \nshutdown now\n"));
    ASSERT_TRUE(log_.wait_for_count(4));
    EXPECT_EQ(log_.commands(), (Commands{{"PING"}, {" ping"}, {"ping "}, {"shutdown now"}}));
    EXPECT_TRUE(server_->running());
}

// ---- everything else goes to the callback (SRS-008, SRS-009) ----

TEST_F(ServerTest, Server_PassesEmptyCommand_ToCallback) {
    start_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("\n\r\n"));
    ASSERT_TRUE(log_.wait_for_count(2));
    EXPECT_EQ(log_.commands(), (Commands{{""}, {""}}));
}

TEST_F(ServerTest, Server_PassesCommandsToCallback_InOrder_SRS008) {
    start_server();
    RawSocket client = connect_client();
    std::string batch;
    Commands expected;
    for (int i = 0; i < 50; ++i) {
        batch += "command " + std::to_string(i) + "\n";
        expected.push_back({"command " + std::to_string(i)});
    }
    ASSERT_TRUE(client.send_all(batch));
    ASSERT_TRUE(log_.wait_for_count(expected.size()));
    EXPECT_EQ(log_.commands(), expected);
}

TEST_F(ServerTest, Server_EndsCommandAtLineFeed_WhateverTheWrites_SRS009) {
    start_server();
    RawSocket client = connect_client();
    for (const char* piece : {"he", "llo\nwo", "r", "ld", "\n", "\n"}) {
        ASSERT_TRUE(client.send_all(piece));
    }
    ASSERT_TRUE(log_.wait_for_count(3));
    EXPECT_EQ(log_.commands(), (Commands{{"hello"}, {"world"}, {""}}));
}

TEST_F(ServerTest, Server_PassesNulBytes_ToCallback) {
    start_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("a\0b\n"s));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (Commands{{"a\0b"s, false}}));
}

TEST_F(ServerTest, Server_DropsOneTrailingCr_ByDefault) {
    RecordProperty("srs", "SRS-019");
    start_server();
    RawSocket client = connect_client();
    EXPECT_EQ(ask(client, "ping\r"), "pong") << "telnet and nc -C send CR LF";
    ASSERT_TRUE(client.send_all("hello\r\nx\r\r\n"));
    ASSERT_TRUE(log_.wait_for_count(2));
    EXPECT_EQ(log_.commands(), (Commands{{"hello"}, {"x\r"}}));
}

TEST_F(ServerTest, Server_KeepsCr_WhenKeepCrSet) {
    RecordProperty("srs", "SRS-019");
    start_server([](ServerConfig& config) { config.keep_cr = true; });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("hello\r\nping\r\n"));
    ASSERT_TRUE(log_.wait_for_count(2));
    EXPECT_EQ(log_.commands(), (Commands{{"hello\r"}, {"ping\r"}}));
}

TEST_F(ServerTest, Server_Utf8Mode_PassesWellFormedUtf8_AndFlagsMalformed) {
    RecordProperty("srs", "SRS-026");
    start_server([](ServerConfig& config) { config.decoding = Decoding::utf8; });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("gr\xc3\xbc\xc3\x9f \xe2\x82\xac\nbad\xc0\xaf\n"));
    ASSERT_TRUE(log_.wait_for_count(2));
    EXPECT_EQ(log_.commands(), (Commands{{"gr\xc3\xbc\xc3\x9f \xe2\x82\xac", false}, {"bad", true}}));
}

TEST_F(ServerTest, Server_AsciiMode_FlagsUtf8_ByDefault) {
    RecordProperty("srs", "SRS-026");
    start_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("\xe2\x82\xac 5\n"));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (Commands{{" 5", true}}));
}

// ---- responses ----

TEST_F(ServerTest, Server_SendsEachResponseWithLineFeed_ManyPerCommand_InOrder) {
    start_server({}, [this](std::string_view command, bool) {
        for (int i = 1; i <= 3; ++i) {
            EXPECT_TRUE(server_->send(std::string(command) + "." + std::to_string(i)));
        }
    });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("a\nb\n"));
    for (const char* expected : {"a.1", "a.2", "a.3", "b.1", "b.2", "b.3"}) {
        EXPECT_EQ(client.read_line(), expected);
    }
}

TEST_F(ServerTest, Server_AnswersPipelinedCommandsInOneWrite_InOrder) {
    RecordProperty("srs", "SRS-029");
    start_server({}, [this](std::string_view command, bool) {
        if (command != "silent") {
            server_->send("echo " + std::string(command));
        }
    });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("a\nsilent\nb\nping\n\nc\n"));
    for (const char* expected : {"echo a", "echo b", "pong", "echo ", "echo c"}) {
        EXPECT_EQ(client.read_line(), expected);
    }
}

TEST_F(ServerTest, Server_CoalescesRepliesToPipelinedCommands_IntoOneWrite) {
    start_server();
    RawSocket client = connect_client();
    std::string pings;
    std::string pongs;
    for (int i = 0; i < 20; ++i) {
        pings += "ping\n";
        pongs += "pong\n";
    }
    ASSERT_TRUE(client.send_all(pings));  // one small write: the server reads it in one go
    ASSERT_TRUE(client.read_line());
    // All replies were in the first segment the client received: one write, not one per reply.
    EXPECT_EQ("pong\n" + client.buffered(), pongs);
}

TEST_F(ServerTest, Server_SendFromAnotherThread_ReachesConnectedClient) {
    start_server();
    RawSocket client = connect_client();
    auto sent = std::async(std::launch::async, [this] { return server_->send("from elsewhere"); });
    EXPECT_TRUE(sent.get());
    EXPECT_EQ(client.read_line(), "from elsewhere") << "written promptly, without waiting for a command";
}

TEST_F(ServerTest, Server_SendFromManyThreads_KeepsEachResponseWhole) {
    start_server();
    RawSocket client = connect_client();
    constexpr int kThreads = 4;
    constexpr int kEach = 100;
    std::vector<std::thread> senders;
    for (int t = 0; t < kThreads; ++t) {
        senders.emplace_back([this, t] {
            for (int i = 0; i < kEach; ++i) {
                server_->send("thread " + std::to_string(t) + " line " + std::to_string(i));
            }
        });
    }
    for (auto& sender : senders) {
        sender.join();
    }
    std::vector<int> next(kThreads, 0);
    for (int received = 0; received < kThreads * kEach; ++received) {
        const auto line = client.read_line();
        ASSERT_TRUE(line) << "after " << received << " lines";
        int thread = -1;
        int index = -1;
        ASSERT_EQ(std::sscanf(line->c_str(), "thread %d line %d", &thread, &index), 2) << *line;
        ASSERT_TRUE(thread >= 0 && thread < kThreads);
        EXPECT_EQ(index, next[thread]++) << "each thread's responses keep their order";
    }
}

TEST_F(ServerTest, Server_SendReturnsFalse_WhenNoClientConnected) {
    start_server();
    EXPECT_FALSE(server_->send("nobody here"));
    {
        RawSocket client = connect_client();
        EXPECT_TRUE(server_->send("somebody"));
        ASSERT_TRUE(client.send_all("disconnect\n"));
        ASSERT_TRUE(client.wait_closed());
    }
    ASSERT_TRUE(wait_until([this] { return !server_->client_connected(); }));
    EXPECT_FALSE(server_->send("gone"));
}

// ---- one client at a time (SRS-003) ----

TEST_F(ServerTest, Server_ClosesSecondClientPromptly_WithoutReadingIt_SRS003) {
    start_server();
    RawSocket first = connect_client();
    RawSocket second = RawSocket::connect(server_->port());
    second.send_all("intruder\n");  // may already fail if the close came first
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_TRUE(second.wait_closed(kPatience));
    const auto took = elapsed_ms(begin);
    EXPECT_LT(took, 1000) << "the second client must learn at once, not time out";
    std::printf("second client closed after %lld ms\n", took);
    EXPECT_EQ(ask(first, "ping"), "pong") << "the first client is still served";
    ASSERT_TRUE(first.send_all("mine\n"));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (Commands{{"mine"}})) << "the second client's command was never read";
}

// ---- abrupt clients ----

TEST_F(ServerTest, Server_CleansUpClientClosingMidCommand_AndServesNext) {
    RecordProperty("srs", "SRS-018");
    start_server();
    {
        RawSocket client = connect_client();
        ASSERT_TRUE(client.send_all("half a comm"));
        client.close();
    }
    EXPECT_TRUE(logger_->wait_for("partial command is discarded", kPatience)) << logger_->text();
    RawSocket next = connect_client();
    ASSERT_TRUE(next.send_all("whole\n"));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (Commands{{"whole"}})) << "the partial command is not glued to the next client's";
}

TEST_F(ServerTest, Server_CleansUpClientThatResets_AndServesNext) {
    RecordProperty("srs", "SRS-018");
    start_server();
    {
        RawSocket client = connect_client();
        ASSERT_TRUE(client.send_all("half"));
        client.reset_connection();
    }
    ASSERT_TRUE(wait_until([this] { return !server_->client_connected(); }));
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
    EXPECT_TRUE(server_->running());
}

// A client that leaves and connects again at once (a script's next run) must be
// served, not refused as a second client because its old connection was not yet seen gone.
TEST_F(ServerTest, Server_ServesClientReconnectingRightAfterLeaving) {
    start_server();
    enum class Leave { disconnect, close_mid_command, reset };
    for (const auto leave : {Leave::disconnect, Leave::close_mid_command, Leave::reset}) {
        for (int round = 0; round < 20; ++round) {
            RawSocket old_client = connect_client();
            if (leave == Leave::disconnect) {
                ASSERT_TRUE(old_client.send_all("disconnect\n"));
            } else {
                ASSERT_TRUE(old_client.send_all("half a comm"));
            }
            leave == Leave::reset ? old_client.reset_connection() : old_client.close();
            RawSocket next = RawSocket::connect(server_->port());
            ASSERT_EQ(ask(next, "ping"), "pong") << "way of leaving " << static_cast<int>(leave) << ", round " << round;
            next.close();
            ASSERT_TRUE(wait_until([this] { return !server_->client_connected(); }));
        }
    }
    EXPECT_TRUE(log_.commands().empty()) << "no partial command reached the callback";
}

double process_cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

TEST_F(ServerTest, Server_DoesNotSpin_AfterClientClosesMidCommand) {
    RecordProperty("srs", "SRS-018");
    start_server();
    {
        RawSocket client = connect_client();
        ASSERT_TRUE(client.send_all("half"));
        client.close();
    }
    ASSERT_TRUE(wait_until([this] { return !server_->client_connected(); }));
    const double cpu_before = process_cpu_ms();
    std::this_thread::sleep_for(300ms);  // time must pass to show the server stays idle
    const double cpu_used = process_cpu_ms() - cpu_before;
    EXPECT_LT(cpu_used, 100.0) << "the server used the CPU while waiting for a client";
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
}

// The client-side tests provoke EPIPE itself; here the server must shrug off a
// reset that arrives while replies are being queued and written.
TEST_F(ServerTest, Server_ServesNextClient_AfterClientResetsWhileRepliesPending) {
    std::promise<void> client_gone;
    auto gone = client_gone.get_future().share();
    start_server({}, [this, gone](std::string_view command, bool) {
        if (command == "reply late") {
            gone.wait_for(kPatience);
            const std::string big(256 * 1024, 'x');
            for (int i = 0; i < 8; ++i) {
                server_->send(big);  // written to a connection that was reset
            }
        }
    });
    {
        RawSocket client = connect_client();
        ASSERT_TRUE(client.send_all("reply late\n"));
        ASSERT_TRUE(log_.wait_for_count(1));
        client.reset_connection();
    }
    client_gone.set_value();
    ASSERT_TRUE(wait_until([this] { return !server_->client_connected(); }));
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
}

TEST_F(ServerTest, Server_EnablesTcpKeepalive_OnAcceptedSocket) {
    start_server();
    RawSocket client = connect_client();
    // The server runs in this process, so its end of the connection is one of our sockets.
    const native::Handle accepted = find_socket(server_->port(), local_port_of(client.fd()));
    ASSERT_NE(accepted, native::kNoHandle) << "the server's end of the connection was not found";
    EXPECT_TRUE(keepalive_enabled(accepted)) << "a vanished peer must not hold the client slot forever";
}

// ---- limits ----

TEST_F(ServerTest, Server_AcceptsCommand_OfExactlyMaxLineLength) {
    start_server([](ServerConfig& config) { config.max_line_length = 16; });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all(std::string(16, 'x') + "\n"));
    ASSERT_TRUE(log_.wait_for_count(1));
    EXPECT_EQ(log_.commands(), (Commands{{std::string(16, 'x')}}));
    EXPECT_EQ(ask(client, "ping"), "pong");
}

TEST_F(ServerTest, Server_DropsClient_WhenLineExceedsLimit_AndServesNext) {
    RecordProperty("srs", "SRS-016");
    start_server([](ServerConfig& config) { config.max_line_length = 16; });
    {
        RawSocket client = connect_client();
        ASSERT_TRUE(client.send_all(std::string(17, 'x')));  // no 0x0A: dropped without waiting for one
        EXPECT_TRUE(client.wait_closed());
    }
    EXPECT_TRUE(logger_->wait_for("longer than 16 bytes", kPatience)) << logger_->text();
    EXPECT_TRUE(log_.commands().empty());
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
}

TEST_F(ServerTest, Server_DropsClient_WhenEndlessLineExceedsDefaultLimit) {
    start_server();
    RawSocket client = connect_client();
    const std::string chunk(64 * 1024, 'y');
    std::size_t sent = 0;
    // Memory stays bounded: the server gives up at 1 MiB instead of buffering all of it.
    while (sent < 64U * 1024 * 1024 && client.send_all(chunk)) {
        sent += chunk.size();
    }
    EXPECT_TRUE(client.wait_closed());
    EXPECT_LT(sent, 64U * 1024 * 1024);
    EXPECT_TRUE(logger_->wait_for("longer than 1048576 bytes", kPatience)) << logger_->text();
}

TEST_F(ServerTest, Server_LogsCallbackException_AndKeepsServing) {
    RecordProperty("srs", "SRS-021");
    start_server({}, [](std::string_view command, bool) {
        if (command == "explode") {
            throw std::runtime_error("boom in callback");
        }
        if (command == "explode oddly") {
            throw 42;
        }
    });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("explode\nexplode oddly\nafter\n"));
    ASSERT_TRUE(log_.wait_for_count(3));
    EXPECT_TRUE(logger_->wait_for("boom in callback", kPatience)) << logger_->text();
    EXPECT_TRUE(logger_->wait_for("non-standard exception", kPatience)) << logger_->text();
    EXPECT_EQ(ask(client, "ping"), "pong") << "the same client is still served";
}

TEST_F(ServerTest, Server_DropsSilentClient_AfterIdleTimeout) {
    RecordProperty("srs", "SRS-024");
    start_server([](ServerConfig& config) { config.idle_timeout = 150ms; });
    RawSocket client = connect_client();
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.wait_closed(kPatience));
    EXPECT_GE(elapsed_ms(begin), 100) << "not before the idle timeout";
    EXPECT_TRUE(logger_->wait_for("sent nothing for 150 ms", kPatience)) << logger_->text();
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
}

TEST_F(ServerTest, Server_KeepsClient_ThatSendsWithinIdleTimeout) {
    start_server([](ServerConfig& config) { config.idle_timeout = 1000ms; });
    RawSocket client = connect_client();
    for (int i = 0; i < 4; ++i) {
        std::this_thread::sleep_for(300ms);  // time must pass: 1.2 s in all, never 1 s silent
        ASSERT_EQ(ask(client, "ping"), "pong") << "round " << i;
    }
}

TEST_F(ServerTest, Server_DropsClient_WhenPendingOutputExceedsLimit) {
    std::atomic<bool> refused{false};
    start_server([](ServerConfig& config) { config.max_pending_output = 16 * 1024; },
                 [this, &refused](std::string_view, bool) {
                     const std::string kilobyte(1023, 'z');
                     for (int i = 0; i < 100; ++i) {
                         if (!server_->send(kilobyte)) {
                             refused = true;
                         }
                     }
                 });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("flood\n"));
    EXPECT_TRUE(client.wait_closed());
    EXPECT_TRUE(refused) << "send says false once the limit is passed";
    EXPECT_TRUE(logger_->wait_for("bytes of responses pending", kPatience)) << logger_->text();
}

TEST_F(ServerTest, Server_DropsClientThatNeverReads_AfterSendTimeout) {
    start_server([](ServerConfig& config) {
        config.send_timeout = 200ms;
        config.max_pending_output = 64 * 1024 * 1024;
    });
    RawSocket client = connect_client();  // never reads from here on
    const std::string chunk(64 * 1024, 'w');
    for (int i = 0; i < 256 && server_->send(chunk); ++i) {
        // 16 MiB: far more than the socket buffers hold, far less than the pending limit
    }
    EXPECT_TRUE(wait_until([this] { return !server_->client_connected(); }));
    EXPECT_TRUE(logger_->wait_for("read no response for 200 ms", kPatience)) << logger_->text();
}

TEST_F(ServerTest, Server_DoesNotCallClientIdle_WhileItsInputIsNotReadForBackpressure) {
    // The idle timeout leaves room for the kernel's socket buffers to fill before backpressure
    // sets in (slow under ThreadSanitizer); the send timeout, longer still, is what must end it.
    start_server([](ServerConfig& config) {
        config.idle_timeout = 300ms;
        config.send_timeout = 900ms;
        config.max_pending_output = 64 * 1024 * 1024;
    });
    RawSocket client = connect_client();  // sends, never reads from here on
    const std::string chunk(64 * 1024, 'w');
    for (int i = 0; i < 256 && server_->send(chunk); ++i) {
        // 16 MiB: more than the socket buffers hold, so the server stops reading this client's input
    }
    ASSERT_TRUE(client.send_all("ping\n"));
    EXPECT_TRUE(logger_->wait_for("read no response for 900 ms", kPatience)) << logger_->text();
    EXPECT_EQ(logger_->text().find("sent nothing"), std::string::npos)
        << "its input was not read: the server cannot tell it is idle\n"
        << logger_->text();
}

// ---- half-close and backpressure inside one read (SRS-041, SRS-042) ----

/// A served client with a small receive window, so that large responses stay in the server's hands
/// (not in socket buffers) for a while after they are queued.
RawSocket connect_with_small_window(std::uint16_t port) {
    RawSocket socket = RawSocket::connect_to(port, kPatience, 4096);
    EXPECT_TRUE(socket.valid()) << std::strerror(socket.error());
    EXPECT_TRUE(socket.send_all("ping\n"));
    EXPECT_EQ(socket.read_line(), "pong");
    return socket;
}

/// Reads until the server closes (or `timeout` passes); returns how many bytes came and how many lines.
std::pair<std::size_t, std::size_t> read_until_closed(RawSocket& socket, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t bytes = socket.buffered().size();
    std::size_t lines = static_cast<std::size_t>(std::count(socket.buffered().begin(), socket.buffered().end(), '\n'));
    std::string chunk;
    while (std::chrono::steady_clock::now() < deadline) {
        chunk.clear();
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (socket.read_some(chunk, left) != Io::ok) {
            break;
        }
        bytes += chunk.size();
        lines += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    }
    return {bytes, lines};
}

TEST_F(ServerTest, Server_WritesEveryResponseOwed_ToClientThatHalfCloses) {
    RecordProperty("srs", "SRS-041");
    const std::string large(4'000'000, 'h');
    start_server({}, [this, &large](std::string_view, bool) { server_->send(large); });
    RawSocket client = connect_with_small_window(server_->port());
    ASSERT_TRUE(client.send_all("large\n"));
    client.shutdown_write();  // like `nc -N`: the commands are all sent, the answers are still wanted
    const auto [bytes, lines] = read_until_closed(client, kPatience);
    EXPECT_TRUE(client.closed()) << "the server closes once it has written everything";
    EXPECT_EQ(bytes, large.size() + 1);
    EXPECT_EQ(lines, 1U);
    EXPECT_TRUE(wait_until([this] { return !server_->client_connected(); }));
    RawSocket next = connect_client();  // the slot is free again
}

TEST_F(ServerTest, Server_AnswersEveryPipelinedCommand_OfClientThatHalfClosesMidCommand) {
    RecordProperty("srs", "SRS-041");
    const std::string response(64 * 1024, 'p');
    start_server({}, [this, &response](std::string_view, bool) { server_->send(response); });
    RawSocket client = connect_with_small_window(server_->port());
    std::string burst;
    for (int i = 0; i < 200; ++i) {
        burst += "cmd\n";
    }
    ASSERT_TRUE(client.send_all(burst + "partial"));  // the unfinished command is not answered
    client.shutdown_write();
    const auto [bytes, lines] = read_until_closed(client, kPatience);
    EXPECT_TRUE(client.closed());
    EXPECT_EQ(lines, 200U);
    EXPECT_EQ(bytes, 200 * (response.size() + 1));
    EXPECT_EQ(log_.commands().size(), 200U);
    EXPECT_TRUE(logger_->wait_for("partial command is discarded", kPatience)) << logger_->text();
}

TEST_F(ServerTest, Server_SlowsDownPipelinedClient_InsteadOfDroppingIt_WithinOneRead) {
    RecordProperty("srs", "SRS-042");
    const std::string response(64 * 1024, 'b');
    start_server({}, [this, &response](std::string_view, bool) { server_->send(response); });
    RawSocket client = connect_client();
    constexpr std::size_t kCommands = 1000;
    std::string burst;
    for (std::size_t i = 0; i < kCommands; ++i) {
        burst += "x\n";  // 2,000 bytes: one read for the server, 64 MiB of answers, four times the pending limit
    }
    ASSERT_TRUE(client.send_all(burst));
    ASSERT_TRUE(client.send_all("ping\n"));
    std::size_t lines = 0;
    std::size_t bytes = 0;
    std::string chunk;
    while (lines < kCommands + 1) {
        chunk.clear();
        if (client.read_some(chunk, kPatience) != Io::ok) {
            break;
        }
        bytes += chunk.size();
        lines += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    }
    EXPECT_EQ(lines, kCommands + 1) << logger_->text();
    EXPECT_EQ(bytes, kCommands * (response.size() + 1) + 5);
    EXPECT_TRUE(server_->client_connected());
    EXPECT_EQ(logger_->text().find("pending"), std::string::npos) << logger_->text();
}

}  // namespace
}  // namespace oneline::test
