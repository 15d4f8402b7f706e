// The replay table of `oneline server --replay`: recorded answers in turn, then the last for ever;
// unknown commands; the built-ins and settings left to the server; lines that cannot be replayed.
#include "transcript/replay_table.hpp"

#include <oneline/transcript.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace oneline::transcript {
namespace {

using Responses = std::vector<std::string>;

#ifdef ONELINE_TEST_HAVE_RE2
constexpr bool kHaveRe2 = true;
#else
constexpr bool kHaveRe2 = false;
#endif

ReplayTable table_of(const std::string& text) { return ReplayTable(parse_transcript(text, "t.txt")); }

/// What the table answers `command` with this time; nullopt when it knows no such command.
std::optional<Responses> next(ReplayTable& table, const std::string& command) {
    const Responses* responses = table.next(command);
    return responses ? std::optional<Responses>(*responses) : std::nullopt;
}

/// The message building a table of `text` throws, or "built" when it throws none.
std::string error_of(const std::string& text) {
    try {
        table_of(text);
    } catch (const TranscriptError& error) {
        return error.what();
    }
    return "built";
}

TEST(ReplayTableTest, Next_AnswersACommandWithItsRecordedResponses_NoneIncluded_SRS364) {
    RecordProperty("srs", "SRS-364");
    ReplayTable table = table_of("> *IDN?\n< Acme,1\n> READ?\n< 1\n<\n< 3\n> SET 5\n");
    EXPECT_EQ(next(table, "*IDN?"), Responses{"Acme,1"});
    EXPECT_EQ(next(table, "READ?"), (Responses{"1", "", "3"}));
    EXPECT_EQ(next(table, "SET 5"), Responses{});  // known: answered with no response
    EXPECT_EQ(table.commands(), 3U);
}

TEST(ReplayTableTest, Next_GivesACommandsAnswersInTurn_ThenTheLastForEver_SRS364) {
    RecordProperty("srs", "SRS-364");
    ReplayTable table = table_of("> n\n< 1\n> other\n< x\n> n\n< 2\n< 2b\n> n\n< 3\n");
    EXPECT_EQ(next(table, "n"), Responses{"1"});
    EXPECT_EQ(next(table, "n"), (Responses{"2", "2b"}));
    EXPECT_EQ(next(table, "other"), Responses{"x"});  // each command has its own turn
    EXPECT_EQ(next(table, "n"), Responses{"3"});
    EXPECT_EQ(next(table, "n"), Responses{"3"});
    EXPECT_EQ(next(table, "n"), Responses{"3"});
    EXPECT_EQ(next(table, "other"), Responses{"x"});
}

TEST(ReplayTableTest, Next_KeepsTheTurnsOfAnAnswerRecordedSeveralTimesInARow_SRS364) {
    RecordProperty("srs", "SRS-364");
    // The same answer twice, then another: the second time still gets the first answer.
    ReplayTable table = table_of("> q\n< a\n> q\n< a\n> q\n< b\n> q\n< a\n");
    EXPECT_EQ(next(table, "q"), Responses{"a"});
    EXPECT_EQ(next(table, "q"), Responses{"a"});
    EXPECT_EQ(next(table, "q"), Responses{"b"});
    EXPECT_EQ(next(table, "q"), Responses{"a"});
    EXPECT_EQ(next(table, "q"), Responses{"a"});
}

TEST(ReplayTableTest, Next_TakesTurnsAcrossCases_InTheFilesOrder_SRS364) {
    RecordProperty("srs", "SRS-364");
    ReplayTable table = table_of("## first\n> q\n< 1\n## second SRS-001\n> q\n< 2\n");
    EXPECT_EQ(next(table, "q"), Responses{"1"});
    EXPECT_EQ(next(table, "q"), Responses{"2"});
}

TEST(ReplayTableTest, Next_KnowsNoCommandTheTranscriptNeverSends_SRS365) {
    RecordProperty("srs", "SRS-365");
    ReplayTable table = table_of("> a\n< 1\n");
    EXPECT_EQ(next(table, "b"), std::nullopt);
    EXPECT_EQ(next(table, "a "), std::nullopt);  // exactly the command, byte for byte
    EXPECT_EQ(next(table, "A"), std::nullopt);
    EXPECT_EQ(next(table, ""), std::nullopt);
    EXPECT_EQ(next(table, "a"), Responses{"1"});
}

TEST(ReplayTableTest, Table_LeavesTheBuiltInsToTheServer_AndIgnoresSettings_SRS364) {
    RecordProperty("srs", "SRS-364");
    ReplayTable table = table_of("> ping\n< pong\n@ timeout 2\n@ pause 0.5\n> a\n< 1\n> shutdown\n");
    EXPECT_EQ(next(table, "ping"), std::nullopt);
    EXPECT_EQ(next(table, "shutdown"), std::nullopt);
    EXPECT_EQ(next(table, "a"), Responses{"1"});
    EXPECT_EQ(table.commands(), 1U);
}

TEST(ReplayTableTest, Table_RefusesAPatternLine_NamingItsFileAndLine_SRS366) {
    RecordProperty("srs", "SRS-366");
    try {
        table_of("> a\n< 1\n> b\n< x\n<~ [0-9]+\n");
        FAIL() << "a '<~' line was accepted";
    } catch (const TranscriptError& error) {
        EXPECT_EQ(error.file(), "t.txt");
        EXPECT_EQ(error.line(), 5U);
        if (kHaveRe2) {  // a build without RE2 refuses the pattern itself as it is read: the same line
            EXPECT_EQ(std::string(error.what()),
                      "t.txt:5: a '<~' line cannot be replayed: it says what a response may be, not what to send");
        }
    }
}

TEST(ReplayTableTest, Table_RefusesAnyRestLine_EvenAfterABuiltIn_SRS366) {
    RecordProperty("srs", "SRS-366");
    EXPECT_EQ(error_of("> a\n<*\n"),
              "t.txt:2: a '<*' line cannot be replayed: it does not say which responses to send");
    EXPECT_EQ(error_of("> ping\n<*\n"),
              "t.txt:2: a '<*' line cannot be replayed: it does not say which responses to send");
}

TEST(ReplayTableTest, Next_LooksUpLongAndManyCommands_SRS364) {
    RecordProperty("srs", "SRS-364");
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        text += "> command " + std::to_string(i) + std::string(100, 'x') + "\n< answer " + std::to_string(i) + "\n";
    }
    ReplayTable table = table_of(text);
    EXPECT_EQ(table.commands(), 1000U);
    for (int i = 999; i >= 0; --i) {
        ASSERT_EQ(next(table, "command " + std::to_string(i) + std::string(100, 'x')),
                  Responses{"answer " + std::to_string(i)});
    }
}

}  // namespace
}  // namespace oneline::transcript
