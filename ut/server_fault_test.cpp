// oneline::Server with ServerConfig::faults: delay, drop, truncate, close-after, reset-after and
// stall-after on the responses of non-built-in commands, built-ins never faulted, the order kept,
// the same faults for the same seed. Real loopback sockets, port 0.
#include "support/server_fixture.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <string>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;

/// How long a test waits to see that nothing comes: long enough for a loopback answer, short
/// enough to keep the suite quick. A missing answer that arrives later still fails the next read.
constexpr std::chrono::milliseconds kQuiet{300};

class ServerFaultTest : public ServerTest {
protected:
    /// Starts an echoing server ("hello" -> "hello") with `faults`, and `adjust` for the rest.
    Server& start_with(const Faults& faults, const std::function<void(ServerConfig&)>& adjust = {}) {
        return start_server(
            [&](ServerConfig& config) {
                config.faults = faults;
                if (adjust) {
                    adjust(config);
                }
            },
            [this](std::string_view command, bool) { server_->send(command); });
    }

    /// Sends each of `commands` followed by `ping`, and returns what came before each `pong`
    /// (joined by '|'), so that a missing response shows as an empty entry.
    static std::vector<std::string> answers_fenced(RawSocket& client, const std::vector<std::string>& commands) {
        std::string batch;
        for (const std::string& command : commands) {
            batch += command + "\nping\n";
        }
        EXPECT_TRUE(client.send_all(batch));
        std::vector<std::string> answers;
        for (std::size_t i = 0; i < commands.size(); ++i) {
            std::string answer;
            for (std::optional<std::string> line = client.read_line(); line != "pong"; line = client.read_line()) {
                if (!line) {
                    ADD_FAILURE() << "no pong after command " << i + 1;
                    return answers;
                }
                answer += (answer.empty() ? "" : "|") + *line;
            }
            answers.push_back(answer);
        }
        return answers;
    }

    static std::vector<std::string> numbered(std::size_t count, const std::string& stem = "command ") {
        std::vector<std::string> commands;
        for (std::size_t i = 1; i <= count; ++i) {
            commands.push_back(stem + std::to_string(i));
        }
        return commands;
    }
};

Faults seeded(std::uint64_t seed) {
    Faults faults;
    faults.seed = seed;
    return faults;
}

// ---- delay (SRS-320) ----

TEST_F(ServerFaultTest, Server_HoldsResponsesForTheDelay_AndKeepsTheirOrder_PongIncluded_SRS320) {
    Faults faults = seeded(1);
    faults.delay_min = faults.delay_max = 250ms;
    start_with(faults);
    RawSocket client = connect_client();
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(client.send_all("first\nping\nsecond\n"));
    EXPECT_EQ(client.read_line(), "first");
    EXPECT_GE(elapsed_ms(sent), 240) << "the response came before its delay";
    EXPECT_EQ(client.read_line(), "pong") << "a pong after a delayed response waits behind it";
    EXPECT_EQ(client.read_line(), "second");
    EXPECT_TRUE(logger_->contains("held 250 ms")) << "-v logs each delay";
}

TEST_F(ServerFaultTest, Server_GoesOnServing_WhileAResponseIsDelayed_SRS320) {
    Faults faults = seeded(1);
    faults.delay_min = faults.delay_max = 60s;
    start_with(faults, [](ServerConfig& config) { config.idle_timeout = 200ms; });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("late\n"));
    ASSERT_TRUE(logger_->wait_for("held 60000 ms", kPatience));
    // The idle timeout still drops the client, long before the delay is over.
    EXPECT_TRUE(client.wait_closed()) << "the idle timeout did not run during the delay";
    RawSocket next = connect_client();
    ASSERT_TRUE(next.send_all("late again\n"));
    ASSERT_TRUE(log_.wait_for_count(2));
    // A stop is as prompt as ever with a response held.
    auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
    EXPECT_EQ(stopped.wait_for(kPatience), std::future_status::ready) << "stop waited for the delay";
}

TEST_F(ServerFaultTest, Server_DeliversHeldResponses_BeforeClosingOnDisconnect_SRS320) {
    Faults faults = seeded(1);
    faults.delay_min = faults.delay_max = 200ms;
    start_with(faults);
    RawSocket client = connect_client();
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(client.send_all("owed\ndisconnect\n"));
    EXPECT_EQ(client.read_line(), "owed");
    EXPECT_GE(elapsed_ms(sent), 190) << "the response was not held";
    std::string rest;
    EXPECT_EQ(client.read_some(rest, kPatience), Io::closed);
    EXPECT_FALSE(client.broken());
}

TEST_F(ServerFaultTest, Server_DeliversLargeHeldResponsesInOrder_PastTheBackpressureThreshold_SRS320) {
    Faults faults = seeded(1);
    faults.delay_min = faults.delay_max = 100ms;
    const std::string bulk(64 * 1024, 'r');
    start_server([&](ServerConfig& config) { config.faults = faults; },
                 [&](std::string_view command, bool) { server_->send(std::string(command) + " " + bulk); });
    RawSocket client = connect_client();
    std::string batch;
    constexpr int kCommands = 40;  // 2.5 MiB of responses held at once, more than reading allows
    for (int i = 0; i < kCommands; ++i) {
        batch += std::to_string(i) + "\n";
    }
    ASSERT_TRUE(client.send_all(batch));
    for (int i = 0; i < kCommands; ++i) {
        ASSERT_EQ(client.read_line(), std::to_string(i) + " " + bulk) << "response " << i;
    }
    EXPECT_EQ(ask(client, "ping"), "pong");
}

TEST_F(ServerFaultTest, Server_DrawsEachDelayFromTheRange_SRS320) {
    Faults faults = seeded(5);
    faults.delay_min = 1ms;
    faults.delay_max = 40ms;
    start_with(faults);
    RawSocket client = connect_client();
    const std::vector<std::string> commands = numbered(20);
    std::vector<std::string> expected = commands;
    EXPECT_EQ(answers_fenced(client, commands), expected) << "every response comes, in order";
    std::vector<std::string> delays;
    for (const std::string& line : logger_->lines()) {
        if (const auto at = line.find("held "); at != std::string::npos) {
            delays.push_back(line.substr(at));
        }
    }
    ASSERT_EQ(delays.size(), 20U);
    std::sort(delays.begin(), delays.end());
    EXPECT_GT(std::unique(delays.begin(), delays.end()) - delays.begin(), 5) << "the delays do not vary";
}

// ---- drop (SRS-321) ----

TEST_F(ServerFaultTest, Server_DropsEveryResponse_WithDropOne_SRS321) {
    Faults faults = seeded(1);
    faults.drop = 1.0;
    start_with(faults, {});
    handler_ = [this](std::string_view command, bool) {
        server_->send(command);
        server_->send("and more");
    };
    RawSocket client = connect_client();
    EXPECT_EQ(answers_fenced(client, {"a", "b"}), (std::vector<std::string>{"", ""}));
    EXPECT_EQ(log_.commands().size(), 2U) << "the commands still ran";
    EXPECT_TRUE(logger_->contains("command 1's 2 responses dropped"));
}

TEST_F(ServerFaultTest, Server_DropsSomeCommandsResponses_WithAProbability_SRS321) {
    Faults faults = seeded(11);
    faults.drop = 0.5;
    start_with(faults);
    RawSocket client = connect_client();
    const std::vector<std::string> answers = answers_fenced(client, numbered(40));
    const auto dropped = std::count(answers.begin(), answers.end(), "");
    EXPECT_GT(dropped, 5);
    EXPECT_LT(dropped, 35);
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i].empty()) {
            EXPECT_EQ(answers[i], "command " + std::to_string(i + 1)) << "a response kept is whole";
        }
    }
}

// ---- truncate (SRS-322) ----

TEST_F(ServerFaultTest, Server_CutsResponsesShort_StillEndedByLineFeed_SRS322) {
    Faults faults = seeded(3);
    faults.truncate = 1.0;
    start_with(faults);
    RawSocket client = connect_client();
    const std::vector<std::string> commands = numbered(20, "a response of some length ");
    const std::vector<std::string> answers = answers_fenced(client, commands);
    ASSERT_EQ(answers.size(), commands.size());
    for (std::size_t i = 0; i < answers.size(); ++i) {
        EXPECT_LT(answers[i].size(), commands[i].size()) << "response " << i + 1 << " was not cut";
        EXPECT_EQ(commands[i].compare(0, answers[i].size(), answers[i]), 0) << "a cut response is a prefix";
    }
    EXPECT_TRUE(logger_->contains("command 1's response 1 cut from 27 to"));
}

TEST_F(ServerFaultTest, Server_FaultsRepliesOfAReplyCallback_SRS322) {
    Faults faults = seeded(3);
    faults.truncate = 1.0;
    start_server([&](ServerConfig& config) {
        config.faults = faults;
        config.callback = nullptr;
        config.reply_callback = [](std::string_view command, bool, Reply& reply) { reply.send(command); };
    });
    RawSocket client = connect_client();
    const std::vector<std::string> answers = answers_fenced(client, {"through the reply"});
    ASSERT_EQ(answers.size(), 1U);
    EXPECT_LT(answers[0].size(), std::string("through the reply").size());
}

// ---- close-after, reset-after, stall-after (SRS-323, SRS-324, SRS-325) ----

TEST_F(ServerFaultTest, Server_ClosesWithEndOfStream_AfterTheNthCommandsResponses_SRS323) {
    Faults faults = seeded(1);
    faults.close_after = 2;
    faults.delay_min = faults.delay_max = 100ms;  // the close waits for the held responses
    start_with(faults);
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("one\nping\ntwo\nthree\nping\n"));
    EXPECT_EQ(client.read_line(), "one");
    EXPECT_EQ(client.read_line(), "pong");
    EXPECT_EQ(client.read_line(), "two");
    std::string rest;
    EXPECT_EQ(client.read_some(rest, kPatience), Io::closed);
    EXPECT_EQ(rest, "") << "nothing after the Nth command's responses";
    EXPECT_FALSE(client.broken()) << "a reset instead of an end of stream";
    EXPECT_EQ(log_.commands().size(), 2U) << "what came after the Nth command was not run";
    // Each client counts its own commands.
    RawSocket next = connect_client();
    EXPECT_EQ(answers_fenced(next, {"again"}), (std::vector<std::string>{"again"}));
}

TEST_F(ServerFaultTest, Server_ResetsTheConnection_AfterTheNthCommandsResponses_SRS324) {
    Faults faults = seeded(1);
    faults.reset_after = 1;
    start_with(faults);
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("one\ntwo\n"));
    std::string got;
    while (client.read_some(got, kPatience) == Io::ok) {
    }
    EXPECT_TRUE(client.closed());
#ifndef _WIN32
    // Wine, where the Windows build's tests run, turns an abortive close (SO_LINGER 0, which resets on
    // Windows itself) into an orderly one: there only the close can be checked.
    EXPECT_TRUE(client.broken()) << "an end of stream instead of a reset";
#endif
    EXPECT_EQ(log_.commands().size(), 1U);
    EXPECT_TRUE(logger_->wait_for("reset by a fault", kPatience));
}

TEST_F(ServerFaultTest, Server_ReadsAndWritesNothing_AfterTheNthCommand_TillTheIdleTimeout_SRS325) {
    Faults faults = seeded(1);
    faults.stall_after = 1;
    start_with(faults, [](ServerConfig& config) { config.idle_timeout = 500ms; });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("one\n"));
    EXPECT_EQ(client.read_line(), "one") << "the Nth command is answered";
    ASSERT_TRUE(client.send_all("ping\n"));
    std::string line;
    EXPECT_EQ(client.read_line(line, kQuiet), Io::timed_out) << "a stalled server answered";
    EXPECT_TRUE(client.wait_closed()) << "the idle timeout still holds";
    EXPECT_EQ(log_.commands().size(), 1U);
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "after"), "after") << "the next client is served";
}

TEST_F(ServerFaultTest, Server_FreesTheSlot_WhenAStalledClientResets_SRS325) {
    Faults faults = seeded(1);
    faults.stall_after = 1;
    start_with(faults);
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("one\n"));
    EXPECT_EQ(client.read_line(), "one");
    ASSERT_TRUE(logger_->wait_for("stalled by a fault", kPatience));
    client.reset_connection();
    EXPECT_TRUE(wait_until([&] { return !server_->client_connected(); }));
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "after"), "after") << "the next client is served";
}

// ---- built-ins (SRS-326) ----

TEST_F(ServerFaultTest, Server_NeverFaultsBuiltins_SRS326) {
    Faults faults = seeded(1);
    faults.drop = 1.0;
    faults.truncate = 1.0;
    faults.close_after = 1;
    start_with(faults);
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("ping\nping\nping\n"));
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(client.read_line(), "pong") << "ping " << i + 1;
    }
    EXPECT_TRUE(log_.commands().empty());
    ASSERT_TRUE(client.send_all("disconnect\n"));
    EXPECT_TRUE(client.wait_closed());
    EXPECT_FALSE(client.broken());
    // The first non-built-in command is the one faulted: dropped, then the connection closed.
    RawSocket next = connect_client();
    ASSERT_TRUE(next.send_all("counted\nping\n"));
    std::string rest;
    EXPECT_EQ(next.read_some(rest, kPatience), Io::closed);
    EXPECT_EQ(rest, "") << "the command's response was not dropped, or the pong after the close came";
}

// ---- the seed (SRS-327) ----

TEST_F(ServerFaultTest, Server_GivesTheSameFaults_ForTheSameSeedAndCommands_SRS327) {
    Faults faults = seeded(42);
    faults.drop = 0.3;
    faults.truncate = 0.3;
    start_with(faults);
    const std::vector<std::string> commands = numbered(30, "the same command, number ");
    RawSocket first = connect_client();
    const std::vector<std::string> once = answers_fenced(first, commands);
    first.close();
    RawSocket second = connect_client();
    EXPECT_EQ(answers_fenced(second, commands), once) << "a new client with the same commands";
    server_->stop();

    faults.seed = 43;
    start_with(faults);
    RawSocket third = connect_client();
    EXPECT_NE(answers_fenced(third, commands), once) << "another seed, the same faults";
}

// ---- checked settings (SRS-328) ----

TEST_F(ServerFaultTest, Server_RefusesToListen_WithFaultsOutOfRange_SRS328) {
    const auto refused = [](const Faults& faults) {
        ServerConfig config;
        config.address = "127.0.0.1";
        config.port = 0;
        config.callback = [](std::string_view, bool) {};
        config.faults = faults;
        Server server(config);
        try {
            server.listen();
        } catch (const Error& error) {
            return error.code() == std::errc::invalid_argument ? std::string(error.what()) : std::string();
        }
        return std::string();
    };
    Faults drop;
    drop.drop = 1.5;
    EXPECT_NE(refused(drop).find("drop"), std::string::npos);
    Faults truncate;
    truncate.truncate = -0.1;
    EXPECT_NE(refused(truncate).find("truncate"), std::string::npos);
    Faults delay;
    delay.delay_min = 20ms;
    delay.delay_max = 10ms;
    EXPECT_NE(refused(delay).find("delay"), std::string::npos);
}

}  // namespace
}  // namespace oneline::test
