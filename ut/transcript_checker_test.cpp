// check_transcript(): transcripts run against a real Server on loopback port 0, whose callback
// answers by a small rule per command; passing cases, and every way a case fails, with the message
// that names FILE:LINE, what was expected and what came.
#include "support/server_fixture.hpp"
#include "support/wait.hpp"

#include <oneline/client.hpp>
#include <oneline/server.hpp>
#include <oneline/transcript.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

#ifdef ONELINE_TEST_HAVE_RE2
constexpr bool kHaveRe2 = true;
#else
constexpr bool kHaveRe2 = false;
#endif

class TranscriptCheckerTest : public ServerTest {
protected:
    /// A server answering: `echo TEXT` with TEXT, `two` with `a` and `b`, `many N` with N lines
    /// `line 1`..`line N`, `big` with 200 bytes, `none` and anything else with nothing. Each
    /// command's arrival time is kept.
    void start_answering(const std::function<void(ServerConfig&)>& adjust = {}) {
        start_server(adjust, [this](std::string_view command, bool) {
            {
                const std::lock_guard lock(arrivals_mutex_);
                arrivals_.push_back(Clock::now());
            }
            if (command.substr(0, 5) == "echo ") {
                server_->send(command.substr(5));
            } else if (command == "two") {
                server_->send("a");
                server_->send("b");
            } else if (command.substr(0, 5) == "many ") {
                const int count = std::stoi(std::string(command.substr(5)));
                for (int i = 1; i <= count; ++i) {
                    server_->send("line " + std::to_string(i));
                }
            } else if (command == "big") {
                server_->send(std::string(200, 'x'));
            }
        });
    }

    /// What check_transcript() is handed: a new connection each call, waiting for a server that is
    /// still letting the last client go.
    std::function<Client()> connector() {
        return [this] {
            ++connections_;
            ClientConfig config;
            config.address = "127.0.0.1";
            config.port = server_->port();
            Client client(std::move(config));
            client.connect(kPatience, kPatience);
            return client;
        };
    }

    std::vector<CaseOutcome> check(const std::string& text, CheckOptions options = {}) {
        return check_transcript(parse_transcript(text, "t.txt"), connector(), options);
    }

    std::vector<Clock::time_point> arrivals() {
        const std::lock_guard lock(arrivals_mutex_);
        return arrivals_;
    }

    int connections_ = 0;
    std::mutex arrivals_mutex_;
    std::vector<Clock::time_point> arrivals_;
};

std::string failures_of(const std::vector<CaseOutcome>& outcomes) {
    std::string text;
    for (const CaseOutcome& outcome : outcomes) {
        text += outcome.name + ": " + (outcome.passed ? "passed" : outcome.failure) + "\n";
    }
    return text;
}

// ---- passing (SRS-340) ----

TEST_F(TranscriptCheckerTest, Check_PassesCasesWhoseCommandsGetExactlyTheirResponses_SRS340) {
    RecordProperty("srs", "SRS-340");
    start_answering();
    const std::string pattern_lines = kHaveRe2 ? "> echo 12345\n<~ [0-9]+\n" : "";
    const std::vector<CaseOutcome> outcomes = check(
        "## first SRS-001 SRS-002\n"
        "> echo hello\n< hello\n"
        "> two\n< a\n< b\n"
        "> none\n"
        "> echo \n<\n"
        "## second\n"
        "> ping\n< pong\n" +
        pattern_lines + "> many 2\n< line 1\n< line 2\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    EXPECT_TRUE(outcomes[1].passed) << failures_of(outcomes);
    EXPECT_EQ(outcomes[0].file, "t.txt");
    EXPECT_EQ(outcomes[0].name, "first");
    EXPECT_EQ(outcomes[0].requirements, (std::vector<std::string>{"SRS-001", "SRS-002"}));
    EXPECT_EQ(outcomes[0].line, 1U);
    EXPECT_EQ(outcomes[0].commands, 4U);
    EXPECT_EQ(outcomes[1].commands, kHaveRe2 ? 3U : 2U);
    EXPECT_EQ(connections_, 1) << "a file runs on one connection";
}

TEST_F(TranscriptCheckerTest, Check_PatternMustMatchTheWholeResponse_SRS340) {
    RecordProperty("srs", "SRS-340");
    if (!kHaveRe2) {
        GTEST_SKIP() << "this build has no RE2";
    }
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("> echo 12345x\n<~ [0-9]+\n");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_EQ(outcomes[0].failure,
              "t.txt:2: wrong response to 'echo 12345x': expected a match of '[0-9]+', got '12345x'");
}

// ---- a wrong response (SRS-341) ----

TEST_F(TranscriptCheckerTest, Check_WrongResponse_FailsNamingTheExpectationsLineExpectedAndActual_SRS341) {
    RecordProperty("srs", "SRS-341");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("## wrong\n> two\n< a\n< c\n## long\n> big\n< short\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_FALSE(outcomes[0].passed);
    EXPECT_EQ(outcomes[0].failure, "t.txt:4: wrong response to 'two': expected 'c', got 'b'");
    EXPECT_EQ(outcomes[1].failure,
              "t.txt:7: wrong response to 'big': expected 'short', got '" + std::string(60, 'x') + "...' (200 bytes)")
        << "a long response is cut, as the tool's messages cut a long command";
}

TEST_F(TranscriptCheckerTest, Check_ShowsControlBytesOfAResponseAsEscapes_SRS341) {
    RecordProperty("srs", "SRS-341");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check(std::string("> echo a\x1b[2Jb\n< ab\n"));
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_EQ(outcomes[0].failure, "t.txt:2: wrong response to 'echo a\\x1b[2Jb': expected 'ab', got 'a\\x1b[2Jb'");
}

// ---- missing and extra responses (SRS-342, SRS-343) ----

TEST_F(TranscriptCheckerTest, Check_MissingResponse_FailsNamingTheFirstExpectationThatGotNothing_SRS342) {
    RecordProperty("srs", "SRS-342");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("> two\n< a\n< b\n< c\n< d\n");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_EQ(outcomes[0].failure,
              "t.txt:4: missing response to 'two': expected 'c', got the end of its answer (2 responses came)");
}

TEST_F(TranscriptCheckerTest, Check_ResponseToACommandExpectingNone_IsExtra_NamingTheCommandsLine_SRS343) {
    RecordProperty("srs", "SRS-343");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("## none\n> echo surprise\n## fewer\n> two\n< a\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_EQ(outcomes[0].failure,
              "t.txt:2: extra response to 'echo surprise': expected none, got 'surprise' as "
              "response 1");
    EXPECT_EQ(outcomes[1].failure, "t.txt:4: extra response to 'two': expected only 1 response, got 'b' as response 2");
}

TEST_F(TranscriptCheckerTest, Check_PingGetsItsOwnPongBeforeTheFences_SRS343) {
    RecordProperty("srs", "SRS-343");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("## answered\n> ping\n< pong\n## unexpected\n> ping\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    EXPECT_EQ(outcomes[1].failure, "t.txt:5: extra response to 'ping': expected none, got 'pong' as response 1");
}

TEST_F(TranscriptCheckerTest, Check_ResponseAfterTheAnswerEnded_IsExtraForTheCommandAnsweredLast_SRS343) {
    RecordProperty("srs", "SRS-343");
    std::future<void> sender;
    start_server({}, [this, &sender](std::string_view command, bool) {
        if (command != "later") {
            return;
        }
        // Sent from another thread once the fence's `pong` after it has gone out (the second `ping`
        // logged: the handshake's is the first), so it arrives while the check pauses.
        sender = std::async(std::launch::async, [this] {
            const auto pings = [this] {
                const std::vector<std::string> lines = logger_->lines();
                return std::count_if(lines.begin(), lines.end(),
                                     [](const std::string& line) { return line.find("'ping' -> ") != line.npos; });
            };
            if (wait_until([&] { return pings() >= 2; })) {
                server_->send("late");
            }
        });
    });
    const std::vector<CaseOutcome> outcomes = check("> later\n@ pause 2\n> other\n");
    sender.wait();
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_EQ(outcomes[0].failure,
              "t.txt:1: extra response to 'later': got 'late' after its answer had ended (0 responses came)");
}

// ---- any number of further responses (SRS-344) ----

TEST_F(TranscriptCheckerTest, Check_AnyRestTakesNoneOneOrManyFurtherResponses_SRS344) {
    RecordProperty("srs", "SRS-344");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check(
        "## rest\n> many 0\n<*\n> many 1\n<*\n> many 50\n< line 1\n<*\n> two\n< a\n< b\n<*\n"
        "## still-missing\n> many 1\n< line 1\n< line 2\n<*\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    EXPECT_EQ(outcomes[1].failure,
              "t.txt:16: missing response to 'many 1': expected 'line 2', got the end of its answer (1 response came)");
}

// ---- timeouts (SRS-345) ----

TEST_F(TranscriptCheckerTest, Check_Timeout_FailsTheCase_AndTheNextCaseRunsOnANewConnection_SRS345) {
    RecordProperty("srs", "SRS-345");
    start_answering([](ServerConfig& config) { config.faults.delay_min = config.faults.delay_max = 400ms; });
    CheckOptions options;
    options.timeout = 100ms;
    const std::vector<CaseOutcome> outcomes =
        check("## late\n> echo a\n< a\n> echo b\n< b\n## patient\n@ timeout 5\n> echo c\n< c\n", options);
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_EQ(outcomes[0].failure,
              "t.txt:3: no response within 0.1 s during the answer to 'echo a': expected 'a', got nothing more "
              "(0 responses came)");
    EXPECT_EQ(outcomes[0].commands, 2U) << "both were sent, pipelined";
    EXPECT_TRUE(outcomes[1].passed) << failures_of(outcomes);
    EXPECT_EQ(connections_, 2);
}

TEST_F(TranscriptCheckerTest, Check_TimeoutLineGivesOneCommandLongerThanTheDefault_SRS345) {
    RecordProperty("srs", "SRS-345");
    start_answering([](ServerConfig& config) { config.faults.delay_min = config.faults.delay_max = 300ms; });
    CheckOptions options;
    options.timeout = 50ms;
    const std::vector<CaseOutcome> outcomes = check("@ timeout 5\n> none\n@ timeout 5\n> two\n< a\n< b\n", options);
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
}

// ---- a closed connection, a failed connect (SRS-346) ----

TEST_F(TranscriptCheckerTest, Check_ServerClosing_FailsTheCase_AndTheNextCaseReconnects_SRS346) {
    RecordProperty("srs", "SRS-346");
    start_answering([](ServerConfig& config) { config.faults.close_after = 2; });
    const std::vector<CaseOutcome> outcomes =
        check("## cut\n> echo 1\n< 1\n> echo 2\n< 2\n> echo 3\n< 3\n## again\n> echo 4\n< 4\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_EQ(outcomes[0].failure,
              "t.txt:4: the server closed the connection during the answer to 'echo 2': expected the end of its "
              "answer ('pong' to the 'ping' after it), got nothing more (1 response came)");
    EXPECT_TRUE(outcomes[1].passed) << failures_of(outcomes);
    EXPECT_EQ(connections_, 2);
}

TEST_F(TranscriptCheckerTest, Check_ConnectFailing_FailsEveryCaseLeftWithItsReason_SRS346) {
    RecordProperty("srs", "SRS-346");
    int tries = 0;
    const Error refused(std::make_error_code(std::errc::connection_refused), "127.0.0.1:9");
    const auto refuse = [&]() -> Client {
        ++tries;
        throw refused;
    };
    const std::vector<CaseOutcome> outcomes =
        check_transcript(parse_transcript("> a\n## b\n> b\n", "t.txt"), refuse, CheckOptions{});
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_EQ(outcomes[0].failure, "t.txt:1: cannot connect: " + std::string(refused.what()));
    EXPECT_EQ(outcomes[1].failure, "t.txt:2: cannot connect: " + std::string(refused.what()));
    EXPECT_EQ(outcomes[0].commands, 0U);
    EXPECT_EQ(tries, 1) << "a server that cannot be reached is not tried again for every case";
}

// ---- after a mismatch (SRS-347) ----

TEST_F(TranscriptCheckerTest, Check_AfterAMismatchTheCasesCommandsStillGoOut_AndTheNextCaseIsInStep_SRS347) {
    RecordProperty("srs", "SRS-347");
    start_answering();
    const std::vector<CaseOutcome> outcomes =
        check("## bad\n> two\n< a\n> echo 2\n< wrong\n> many 3\n< line 1\n## good\n> echo 4\n< 4\n> none\n");
    ASSERT_EQ(outcomes.size(), 2U);
    EXPECT_EQ(outcomes[0].failure, "t.txt:2: extra response to 'two': expected only 1 response, got 'b' as response 2")
        << "the first mismatch is the one reported";
    EXPECT_EQ(outcomes[0].commands, 3U);
    EXPECT_TRUE(outcomes[1].passed) << failures_of(outcomes);
    const std::vector<ReceivedCommand> commands = log_.commands();
    ASSERT_EQ(commands.size(), 5U);
    EXPECT_EQ(commands[2].text, "many 3");
    EXPECT_EQ(connections_, 1);
}

// ---- the window and pauses (SRS-348) ----

TEST_F(TranscriptCheckerTest, Check_KeepsAtMostTheWindowInFlight_AndPipelinesWithinIt_SRS348) {
    RecordProperty("srs", "SRS-348");
    constexpr auto kHeld = 300ms;
    start_answering([kHeld](ServerConfig& config) { config.faults.delay_min = config.faults.delay_max = kHeld; });
    CheckOptions options;
    options.window = 4;
    std::string text;
    for (int i = 0; i < 12; ++i) {
        text += "> echo " + std::to_string(i) + "\n< " + std::to_string(i) + "\n";
    }
    const std::vector<CaseOutcome> outcomes = check(text, options);
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    // No answer comes before kHeld has passed: whatever arrived by then was sent without one.
    const std::vector<Clock::time_point> times = arrivals();
    ASSERT_EQ(times.size(), 12U);
    const auto before_any_answer =
        std::count_if(times.begin(), times.end(), [&](Clock::time_point at) { return at < times.front() + kHeld; });
    EXPECT_LE(before_any_answer, 4);
    EXPECT_GE(before_any_answer, 2) << "the commands of a window go out together";
}

TEST_F(TranscriptCheckerTest, Check_RunsTwentyThousandCommandsPipelined_SRS348) {
    RecordProperty("srs", "SRS-348");
    start_answering();
    std::string text;
    for (int i = 0; i < 20000; ++i) {
        text += "> echo " + std::to_string(i) + "\n< " + std::to_string(i) + "\n";
    }
    const auto began = Clock::now();
    const std::vector<CaseOutcome> outcomes = check(text);
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_TRUE(outcomes[0].passed) << outcomes[0].failure;
    EXPECT_EQ(outcomes[0].commands, 20000U);
    EXPECT_LT(Clock::now() - began, kPatience) << "one round trip per command would take far longer";
}

TEST_F(TranscriptCheckerTest, Check_PauseWaitsForEveryAnswerThenForItsTime_SRS348) {
    RecordProperty("srs", "SRS-348");
    start_answering();
    const auto began = Clock::now();
    const std::vector<CaseOutcome> outcomes = check("> echo a\n< a\n@ pause 0.3\n> echo b\n< b\n");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    const std::vector<Clock::time_point> times = arrivals();
    ASSERT_EQ(times.size(), 2U);
    EXPECT_GE(times[1] - times[0], 300ms);
    EXPECT_GE(Clock::now() - began, 300ms);
}

// ---- the end of a file (SRS-349) ----

TEST_F(TranscriptCheckerTest, Check_AFilesOwnShutdownIsSent_AndTheCloseAwaited_SRS349) {
    RecordProperty("srs", "SRS-349");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("> echo a\n< a\n> shutdown\n");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    EXPECT_EQ(outcomes[0].commands, 2U);
    EXPECT_TRUE(server_->wait_until_stopped(kPatience)) << logger_->text();
}

TEST_F(TranscriptCheckerTest, Check_WithoutAGoodbyeTheFileEndsWithDisconnect_SRS349) {
    RecordProperty("srs", "SRS-349");
    start_answering();
    const std::vector<CaseOutcome> outcomes = check("> echo a\n< a\n");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_TRUE(outcomes[0].passed) << failures_of(outcomes);
    EXPECT_TRUE(logger_->wait_for("sent disconnect", kPatience)) << logger_->text();
}

}  // namespace
}  // namespace oneline::test
