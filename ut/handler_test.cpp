// The long-lived handler, driven with real /bin/sh programs: order and state, commands written
// ahead, and every way a program fails (ends, silence, bad lines, a start that keeps failing),
// and that nothing it started outlives it.
#include "handler/handler.hpp"

#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace oneline::handler {
namespace {

using std::chrono::milliseconds;

// Answers each command with itself and a count: the command arrives JSON-quoted and is sent back so.
constexpr const char* kCountingEcho = R"(n=0
while IFS= read -r line; do
    n=$((n + 1))
    command=${line#'{"command": '}
    command=${command%', "invalid": '*}
    printf '{"responses": [%s, "%d"]}\n' "$command" "$n"
done)";

class Log {
public:
    std::function<void(std::string_view)> sink() {
        return [this](std::string_view line) {
            const std::lock_guard<std::mutex> lock(mutex_);
            lines_.emplace_back(line);
        };
    }
    std::string text() {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::string all;
        for (const std::string& line : lines_) {
            all += line + "\n";
        }
        return all;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

struct Answer {
    std::vector<std::string> responses;
    std::string failure;
};

Answer collect(Handler& handler) {
    Answer answer;
    answer.failure = handler.collect([&](std::string_view line) { answer.responses.emplace_back(line); });
    return answer;
}

Answer ask(Handler& handler, std::string_view command, bool is_invalid = false) {
    handler.submit(command, is_invalid);
    return collect(handler);
}

using Lines = std::vector<std::string>;

class HandlerTest : public ::testing::Test {
protected:
    HandlerConfig config(std::string shell_text) {
        HandlerConfig made;
        made.shell_text = std::move(shell_text);
        made.timeout = test::kPatience;
        made.log = log_.sink();
        return made;
    }

    /// A scratch file name, removed at the end.
    std::string scratch(const std::string& name) {
        std::string path = ::testing::TempDir() + "oneline_handler_" + std::to_string(::getpid()) + "_" + name;
        scratch_.push_back(path);
        std::remove(path.c_str());
        return path;
    }

    void TearDown() override {
        for (const std::string& path : scratch_) {
            std::remove(path.c_str());
        }
    }

    Log log_;
    std::vector<std::string> scratch_;
};

/// The pids a program wrote into `path`, one per line.
std::vector<pid_t> pids_in(const std::string& path) {
    std::ifstream file(path);
    std::vector<pid_t> pids;
    for (long pid = 0; file >> pid;) {
        pids.push_back(static_cast<pid_t>(pid));
    }
    return pids;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

TEST_F(HandlerTest, AnswersEachCommandInOrder_KeepingStateInOneProcess) {
    Handler handler(config(kCountingEcho));
    EXPECT_EQ(ask(handler, "!FREQ 10").responses, (Lines{"!FREQ 10", "1"}));
    EXPECT_EQ(ask(handler, "?FREQ").responses, (Lines{"?FREQ", "2"}));
    EXPECT_EQ(ask(handler, "with \"quotes\" and \\ and \t").responses, (Lines{"with \"quotes\" and \\ and \t", "3"}));
    EXPECT_EQ(ask(handler, "").responses, (Lines{"", "4"}));
    EXPECT_EQ(handler.starts(), 1U);
}

TEST_F(HandlerTest, PassesTheInvalidFlag) {
    Handler handler(config(R"(while IFS= read -r line; do
        case $line in *'"invalid": true}') echo '{"responses": ["flagged"]}';; *) echo '{"responses": ["clean"]}';; esac
    done)"));
    EXPECT_EQ(ask(handler, "caf", true).responses, Lines{"flagged"});
    EXPECT_EQ(ask(handler, "cafe", false).responses, Lines{"clean"});
}

TEST_F(HandlerTest, ZeroResponses_IsAValidAnswer) {
    Handler handler(config(R"(while read -r line; do echo '{"responses": []}'; done)"));
    const Answer answer = ask(handler, "quiet");
    EXPECT_EQ(answer.failure, "");
    EXPECT_TRUE(answer.responses.empty());
}

TEST_F(HandlerTest, CommandsWrittenAhead_AreAnsweredInOrder) {
    RecordProperty("srs", "SRS-301");
    Handler handler(config(kCountingEcho));
    constexpr int kCommands = 2000;  // far more request bytes than a pipe holds
    for (int i = 0; i < kCommands; ++i) {
        handler.submit("command " + std::to_string(i) + std::string(100, '.'), false);
    }
    EXPECT_EQ(handler.pending(), static_cast<std::size_t>(kCommands));
    for (int i = 0; i < kCommands; ++i) {
        const Answer answer = collect(handler);
        ASSERT_EQ(answer.responses,
                  (Lines{"command " + std::to_string(i) + std::string(100, '.'), std::to_string(i + 1)}));
    }
    EXPECT_EQ(handler.pending(), 0U);
}

TEST_F(HandlerTest, AProgramThatReadsAheadBeforeAnswering_IsServedWhenCommandsAreWrittenAhead) {
    RecordProperty("srs", "SRS-301");
    // It answers nothing until it has read three commands: one command at a time would wait forever.
    Handler handler(config(R"(read -r a; read -r b; read -r c
        echo '{"responses": ["1"]}'; echo '{"responses": ["2"]}'; echo '{"responses": ["3"]}'; cat >/dev/null)"));
    handler.submit("a", false);
    handler.submit("b", false);
    handler.submit("c", false);
    EXPECT_EQ(collect(handler).responses, Lines{"1"});
    EXPECT_EQ(collect(handler).responses, Lines{"2"});
    EXPECT_EQ(collect(handler).responses, Lines{"3"});
}

TEST_F(HandlerTest, AProgramThatExits_FailsThatCommand_AndIsStartedAgainForTheNext) {
    Handler handler(config(R"(n=0
    while IFS= read -r line; do
        n=$((n + 1))
        case $line in *'"die"'*) exit 3;; esac
        echo "{\"responses\": [\"$n\"]}"
    done)"));
    EXPECT_EQ(ask(handler, "a").responses, Lines{"1"});
    EXPECT_EQ(ask(handler, "b").responses, Lines{"2"});
    const Answer died = ask(handler, "die");
    EXPECT_EQ(died.failure, "exited with status 3");
    EXPECT_EQ(died.responses, Lines{"error: handler exited with status 3"});
    EXPECT_EQ(ask(handler, "c").responses, Lines{"1"});  // a new program: its count starts again
    EXPECT_EQ(handler.starts(), 2U);
    EXPECT_NE(log_.text().find("exited with status 3"), std::string::npos) << log_.text();
}

TEST_F(HandlerTest, AnAnswerPrintedBeforeTheExit_StillCounts) {
    Handler handler(config(R"(read -r line; echo '{"responses": ["last words"]}'; exit 0)"));
    const Answer answer = ask(handler, "a");
    EXPECT_EQ(answer.failure, "");
    EXPECT_EQ(answer.responses, Lines{"last words"});
}

TEST_F(HandlerTest, CommandsInFlightWhenItDies_EachGetTheFailureResponse) {
    RecordProperty("srs", "SRS-302");
    Handler handler(config(R"(read -r a; read -r b; read -r c; echo '{"responses": ["1"]}'; exit 4)"));
    handler.submit("a", false);
    handler.submit("b", false);
    handler.submit("c", false);
    EXPECT_EQ(collect(handler).responses, Lines{"1"});
    EXPECT_EQ(collect(handler).responses, Lines{"error: handler exited with status 4"});
    EXPECT_EQ(collect(handler).responses, Lines{"error: handler exited with status 4"});
}

TEST_F(HandlerTest, ABadLine_IsAFailureResponseAndALogLine_AndServingGoesOn) {
    Handler handler(config(R"(n=0
    while IFS= read -r line; do
        n=$((n + 1))
        case $line in
            *'"text"'*) echo "hello";;
            *'"missing"'*) echo '{"answer": ["x"]}';;
            *'"number"'*) echo '{"responses": [7]}';;
            *) echo "{\"responses\": [\"$n\"]}";;
        esac
    done)"));
    const Answer text = ask(handler, "text");
    EXPECT_EQ(text.responses.size(), 1U);
    EXPECT_EQ(text.responses.at(0).rfind("error: handler answered with a bad line (not JSON: ", 0), 0U)
        << text.responses.at(0);
    EXPECT_EQ(ask(handler, "missing").responses,
              Lines{"error: handler answered with a bad line (no \"responses\" member)"});
    EXPECT_EQ(ask(handler, "number").responses,
              Lines{"error: handler answered with a bad line (response 1 is not a string)"});
    EXPECT_EQ(ask(handler, "fine").responses, Lines{"4"});  // the same program, in step
    EXPECT_EQ(handler.starts(), 1U);
    const std::string log = log_.text();
    EXPECT_NE(log.find("not JSON"), std::string::npos) << log;
    EXPECT_NE(log.find("\"hello\""), std::string::npos) << log;  // the line it sent, shown
    EXPECT_NE(log.find("{\\\"answer\\\": [\\\"x\\\"]}"), std::string::npos) << log;
}

TEST_F(HandlerTest, ALineLongerThanTheLimit_IsSkippedWhole_AndServingGoesOn) {
    RecordProperty("srs", "SRS-305");
    HandlerConfig made = config(R"(while IFS= read -r line; do
        case $line in
            *'"long"'*) i=0; while [ $i -lt 2000 ]; do printf 'xxxxxxxxxx'; i=$((i + 1)); done; echo;;
            *) echo '{"responses": ["short"]}';;
        esac
    done)");
    made.max_answer_length = 1000;
    Handler handler(std::move(made));
    EXPECT_EQ(ask(handler, "long").responses, Lines{"error: handler answered with a line longer than 1000 bytes"});
    EXPECT_EQ(ask(handler, "next").responses, Lines{"short"});
    EXPECT_EQ(handler.starts(), 1U);
}

TEST_F(HandlerTest, MoreResponsesThanTheLimit_IsABadLine) {
    RecordProperty("srs", "SRS-305");
    HandlerConfig made = config(R"(while read -r line; do echo '{"responses": ["1", "2", "3"]}'; done)");
    made.max_responses = 2;
    Handler handler(std::move(made));
    EXPECT_EQ(ask(handler, "a").responses, Lines{"error: handler answered with a bad line (more than 2 responses)"});
}

TEST_F(HandlerTest, ASilentProgram_IsKilledAfterTheTimeout_AndStartedAgain) {
    RecordProperty("srs", "SRS-304");
    const std::string pids = scratch("silent_pids");
    HandlerConfig made = config("echo $$ >> '" + pids + R"('
    while IFS= read -r line; do
        case $line in *'"hang"'*) sleep 30 & echo $! >> ')" +
                                pids + R"('; wait;; esac
        echo '{"responses": ["ok"]}'
    done)");
    made.timeout = milliseconds(300);
    Handler handler(std::move(made));
    EXPECT_EQ(ask(handler, "a").responses, Lines{"ok"});
    const auto began = std::chrono::steady_clock::now();
    const Answer hung = ask(handler, "hang");
    EXPECT_GE(test::elapsed_ms(began), 290);
    EXPECT_LT(test::elapsed_ms(began), test::kPatience.count());
    EXPECT_EQ(hung.failure, "timed out after 0.3 s");
    EXPECT_EQ(hung.responses, Lines{"error: handler timed out after 0.3 s"});
    const std::vector<pid_t> first = pids_in(pids);
    ASSERT_EQ(first.size(), 2U);             // the program and its sleep
    EXPECT_FALSE(process_exists(first[0]));  // reaped by the handler
    // Its whole group was killed; the sleep, an orphan now, is reaped by the system.
    EXPECT_TRUE(test::wait_until([&] { return !process_exists(first[1]); }));
    EXPECT_EQ(ask(handler, "b").responses, Lines{"ok"});
    EXPECT_EQ(handler.starts(), 2U);
}

TEST_F(HandlerTest, AProgramThatClosesItsStdout_IsEndedAndItsCommandFails) {
    Handler handler(config(R"(read -r line; exec >&-; sleep 30)"));
    const auto began = std::chrono::steady_clock::now();
    const Answer answer = ask(handler, "a");
    EXPECT_LT(test::elapsed_ms(began), test::kPatience.count());
    EXPECT_EQ(answer.failure, "was killed by signal 9");
}

TEST_F(HandlerTest, AProgramThatDiesAtEveryStart_IsRestartedWithABackoff) {
    RecordProperty("srs", "SRS-303");
    HandlerConfig made = config("exit 1");
    made.first_backoff = milliseconds(60000);  // far longer than the test: no third start can come
    Handler handler(std::move(made));
    EXPECT_EQ(ask(handler, "a").failure, "exited with status 1");
    EXPECT_EQ(ask(handler, "b").failure, "exited with status 1");  // the first restart is at once
    const Answer held = ask(handler, "c");
    EXPECT_EQ(held.failure.rfind("is restarting (it ended 2 times in a row; next start in ", 0), 0U) << held.failure;
    EXPECT_EQ(held.responses.size(), 1U);
    EXPECT_EQ(handler.starts(), 2U);
}

TEST_F(HandlerTest, TheBackoffBoundsTheStarts_OfAProgramThatAlwaysDies) {
    RecordProperty("srs", "SRS-303");
    HandlerConfig made = config("exit 1");
    made.first_backoff = milliseconds(50);
    made.max_backoff = milliseconds(200);
    Handler handler(std::move(made));
    // Without a backoff every command would start it once more.
    const auto began = std::chrono::steady_clock::now();
    int commands = 0;
    while (test::elapsed_ms(began) < 600) {
        EXPECT_FALSE(ask(handler, "x").failure.empty());
        ++commands;
    }
    // At once, at once, then 50, 100, 200, 200 ... ms apart: at most 2 + 600/50 starts whatever the load.
    EXPECT_LE(handler.starts(), 14U);
    EXPECT_GE(handler.starts(), 3U);
    EXPECT_GT(static_cast<std::uint64_t>(commands), handler.starts() * 5);
}

TEST_F(HandlerTest, AnAnsweredCommand_ResetsTheBackoff) {
    RecordProperty("srs", "SRS-303");
    HandlerConfig made = config(R"(while IFS= read -r line; do case $line in *'"die"'*) exit 2;; esac
        echo '{"responses": ["ok"]}'; done)");
    made.first_backoff = milliseconds(60000);
    Handler handler(std::move(made));
    EXPECT_EQ(ask(handler, "die").failure, "exited with status 2");
    EXPECT_EQ(ask(handler, "fine").responses, Lines{"ok"});  // restarted at once
    EXPECT_EQ(ask(handler, "die").failure, "exited with status 2");
    // Its second end in a row would hold the next start for a minute; the answer in between made it the first.
    EXPECT_EQ(ask(handler, "fine").responses, Lines{"ok"});
    EXPECT_EQ(handler.starts(), 3U);
}

TEST_F(HandlerTest, AnEmptyFailureResponse_SendsNothing_ButStillReportsTheFailure) {
    HandlerConfig made = config("exit 5");
    made.failure_response = "";
    Handler handler(std::move(made));
    const Answer answer = ask(handler, "a");
    EXPECT_EQ(answer.failure, "exited with status 5");
    EXPECT_TRUE(answer.responses.empty());
}

TEST_F(HandlerTest, AProgramThatNeverReads_NeitherBlocksNorRaisesSigpipe) {
    Handler handler(config("exec 0<&-; exit 0"));
    const Answer answer = ask(handler, std::string(1 << 20, 'x'));  // more than a pipe holds
    EXPECT_EQ(answer.failure, "exited with status 0");
}

TEST_F(HandlerTest, Destruction_ClosesItsStdin_AndGivesItTimeToFinish) {
    RecordProperty("srs", "SRS-307");
    const std::string finished = scratch("finished");
    {
        Handler handler(config(R"(while read -r line; do echo '{"responses": []}'; done; sleep 0.2; echo done > ')" +
                               finished + "'"));
        EXPECT_EQ(ask(handler, "a").failure, "");
    }
    std::ifstream file(finished);
    std::string word;
    file >> word;
    EXPECT_EQ(word, "done");
}

TEST_F(HandlerTest, Destruction_KillsAProgramThatIgnoresTheEndOfItsStdin_AfterTheGrace) {
    RecordProperty("srs", "SRS-307");
    const std::string pids = scratch("stubborn_pids");
    HandlerConfig made = config("trap '' TERM INT HUP; echo $$ >> '" + pids + "'; sleep 600 & echo $! >> '" + pids +
                                R"('; read -r line; echo '{"responses": []}'; wait)");
    made.grace = milliseconds(200);
    std::vector<pid_t> started;
    const auto began = std::chrono::steady_clock::now();
    {
        Handler handler(std::move(made));
        EXPECT_EQ(ask(handler, "a").failure, "");
        started = pids_in(pids);
    }
    EXPECT_GE(test::elapsed_ms(began), 200);
    EXPECT_LT(test::elapsed_ms(began), test::kPatience.count());
    ASSERT_EQ(started.size(), 2U);
    EXPECT_FALSE(process_exists(started[0]));                                    // reaped by the handler
    EXPECT_TRUE(test::wait_until([&] { return !process_exists(started[1]); }));  // an orphan: the system reaps it
}

TEST_F(HandlerTest, Cancel_EndsAWaitPromptly_WithoutAFailureResponse) {
    Handler handler(config("read -r line; sleep 600"));
    handler.submit("a", false);
    // Before collect() waits or while it does: either way it returns at once, quietly.
    std::thread canceller([&] { handler.cancel(); });
    const auto began = std::chrono::steady_clock::now();
    const Answer answer = collect(handler);
    canceller.join();
    EXPECT_LT(test::elapsed_ms(began), test::kPatience.count());
    EXPECT_FALSE(answer.failure.empty());
    EXPECT_TRUE(answer.responses.empty());
    EXPECT_EQ(ask(handler, "b").failure, "was not asked: the server is stopping");
}

TEST_F(HandlerTest, StartingAProgramThatIsNotThere_FailsEachCommand_WithTheShellsStatus) {
    Handler handler(config("no-such-program-oneline-handler"));
    const Answer answer = ask(handler, "a");
    EXPECT_EQ(answer.failure, "exited with status 127 (command not found)");
}

TEST_F(HandlerTest, ALineNoCommandAskedFor_IsDroppedAndLogged_NotTakenAsTheNextAnswer) {
    // One write, so that the stray line is read with the answer, before the next command is written.
    Handler handler(config(R"(read -r line; printf '{"responses": ["first"]}\n{"responses": ["unasked"]}\n'
        while read -r line; do echo '{"responses": ["second"]}'; done)"));
    EXPECT_EQ(ask(handler, "a").responses, Lines{"first"});
    EXPECT_EQ(ask(handler, "b").responses, Lines{"second"});
    EXPECT_NE(log_.text().find("printed 1 line no command asked for, dropped; the first: "), std::string::npos)
        << log_.text();
    EXPECT_EQ(handler.starts(), 1U);
}

TEST_F(HandlerTest, CollectWithNothingSubmitted_IsALogicError) {
    Handler handler(config(kCountingEcho));
    EXPECT_THROW(collect(handler), std::logic_error);
}

}  // namespace
}  // namespace oneline::handler
