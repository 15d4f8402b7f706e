// Reading transcripts: what each line means, and every malformed line found before anything is sent.
#include <oneline/transcript.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

namespace oneline {
namespace {

using Kind = ExpectedResponse::Kind;
using namespace std::chrono_literals;

/// The message parse_transcript() throws for `text`, or "parsed" when it throws none.
std::string error_of(const std::string& text) {
    try {
        parse_transcript(text, "t.txt");
    } catch (const TranscriptError& error) {
        return error.what();
    }
    return "parsed";
}

#ifdef ONELINE_TEST_HAVE_RE2
constexpr bool kHaveRe2 = true;
#else
constexpr bool kHaveRe2 = false;
#endif

// ---- the lines and what they mean (SRS-330) ----

TEST(TranscriptParserTest, Parse_ReadsCommandsAndTheirResponses_InAnUnnamedFirstCase_SRS330) {
    RecordProperty("srs", "SRS-330");
    const Transcript transcript =
        parse_transcript("# a comment\n\n> ping\n< pong\n> *IDN?\n< Acme,1\n<\n> set 5\n", "t.txt");
    ASSERT_EQ(transcript.cases.size(), 1U);
    const TranscriptCase& only = transcript.cases[0];
    EXPECT_EQ(only.name, "t.txt");
    EXPECT_EQ(only.line, 0U);
    ASSERT_EQ(only.steps.size(), 3U);
    EXPECT_EQ(only.steps[0].command, "ping");
    EXPECT_EQ(only.steps[0].line, 3U);
    ASSERT_EQ(only.steps[0].responses.size(), 1U);
    EXPECT_EQ(only.steps[0].responses[0].text(), "pong");
    EXPECT_EQ(only.steps[0].responses[0].line(), 4U);
    ASSERT_EQ(only.steps[1].responses.size(), 2U);
    EXPECT_EQ(only.steps[1].responses[1].text(), "");  // `<` alone
    EXPECT_EQ(only.steps[1].responses[1].kind(), Kind::exact);
    EXPECT_TRUE(only.steps[2].responses.empty());  // expects none
}

TEST(TranscriptParserTest, Parse_KeepsTextVerbatimAfterThePrefixAndItsSpace_AndDropsOneCarriageReturn_SRS330) {
    RecordProperty("srs", "SRS-330");
    const Transcript transcript = parse_transcript(">   spaced  \r\n<  two # not a comment\r\n>\n", "t.txt");
    const auto& steps = transcript.cases.at(0).steps;
    ASSERT_EQ(steps.size(), 2U);
    EXPECT_EQ(steps[0].command, "  spaced  ");
    EXPECT_EQ(steps[0].responses.at(0).text(), " two # not a comment");
    EXPECT_EQ(steps[1].command, "");  // `>` alone: the empty command
}

TEST(TranscriptParserTest, Parse_StartsNamedCases_WithTheirRequirementIds_SRS330) {
    RecordProperty("srs", "SRS-330");
    const Transcript transcript = parse_transcript(
        "> hello\n## idn SRS-001 SRS-002\n> *IDN?\n< x\n## plain\n> a\n## bracketed [SRS-003 SRS-004]\n> b\n", "t.txt");
    ASSERT_EQ(transcript.cases.size(), 4U);
    EXPECT_EQ(transcript.cases[0].name, "t.txt");
    EXPECT_EQ(transcript.cases[1].name, "idn");
    EXPECT_EQ(transcript.cases[1].line, 2U);
    EXPECT_EQ(transcript.cases[1].requirements, (std::vector<std::string>{"SRS-001", "SRS-002"}));
    EXPECT_TRUE(transcript.cases[2].requirements.empty());
    EXPECT_EQ(transcript.cases[3].requirements, (std::vector<std::string>{"SRS-003", "SRS-004"}));
}

TEST(TranscriptParserTest, Parse_LeavesOutAnUnnamedFirstCaseWithoutCommands_SRS330) {
    RecordProperty("srs", "SRS-330");
    const Transcript transcript = parse_transcript("# only a comment\n## first\n> a\n", "t.txt");
    ASSERT_EQ(transcript.cases.size(), 1U);
    EXPECT_EQ(transcript.cases[0].name, "first");
}

TEST(TranscriptParserTest, Parse_ReadsAnyRestAndTheDirectives_ForTheNextCommandOnly_SRS330) {
    RecordProperty("srs", "SRS-330");
    const Transcript transcript = parse_transcript("@ timeout 2.5\n@ pause 0.25\n> slow\n< a\n<*\n> next\n", "t.txt");
    const auto& steps = transcript.cases.at(0).steps;
    ASSERT_EQ(steps.size(), 2U);
    EXPECT_EQ(steps[0].timeout, std::optional<std::chrono::milliseconds>(2500ms));
    EXPECT_EQ(steps[0].pause, 250ms);
    ASSERT_EQ(steps[0].responses.size(), 2U);
    EXPECT_EQ(steps[0].responses[1].kind(), Kind::any_rest);
    EXPECT_TRUE(steps[0].responses[1].matches("anything"));
    EXPECT_FALSE(steps[1].timeout);
    EXPECT_EQ(steps[1].pause, 0ms);
}

TEST(TranscriptParserTest, Parse_AllowsAGoodbyeAsTheFilesLastCommand_SRS330) {
    RecordProperty("srs", "SRS-330");
    const Transcript transcript = parse_transcript("## a\n> x\n## b\n> shutdown\n", "t.txt");
    EXPECT_EQ(transcript.cases.at(1).steps.at(0).command, "shutdown");
}

TEST(TranscriptParserTest, Pattern_MatchesTheWholeResponse_SRS330) {
    RecordProperty("srs", "SRS-330");
    if (!kHaveRe2) {
        GTEST_SKIP() << "this build has no RE2";
    }
    const Transcript transcript = parse_transcript("> v\n<~ [0-9]+\\.[0-9]+ V\n", "t.txt");
    const ExpectedResponse& expected = transcript.cases.at(0).steps.at(0).responses.at(0);
    EXPECT_EQ(expected.kind(), Kind::pattern);
    EXPECT_TRUE(expected.matches("12.5 V"));
    EXPECT_FALSE(expected.matches("12.5 V and more"));
    EXPECT_FALSE(expected.matches("x12.5 V"));
    EXPECT_EQ(expected.written(), "<~ [0-9]+\\.[0-9]+ V");
}

TEST(TranscriptParserTest, Pattern_WrittenTwice_KeepsEachLine_SRS330) {
    RecordProperty("srs", "SRS-330");
    if (!kHaveRe2) {
        GTEST_SKIP() << "this build has no RE2";
    }
    const Transcript transcript = parse_transcript("> a\n<~ [a-z]+\n> b\n<~ [a-z]+\n", "t.txt");
    const auto& steps = transcript.cases.at(0).steps;
    EXPECT_EQ(steps.at(0).responses.at(0).line(), 2U);
    EXPECT_EQ(steps.at(1).responses.at(0).line(), 4U);
    EXPECT_TRUE(steps.at(1).responses.at(0).matches("abc"));
    EXPECT_FALSE(steps.at(1).responses.at(0).matches("ABC"));
}

TEST(TranscriptParserTest, Pattern_TakesLinearTime_OnALongResponseThatWouldMakeABacktrackerBlowUp_SRS330) {
    RecordProperty("srs", "SRS-330");
    if (!kHaveRe2) {
        GTEST_SKIP() << "this build has no RE2";
    }
    // (a*)*b against 100,000 'a's: exponential for a backtracking engine, one pass for RE2.
    const Transcript transcript = parse_transcript("> v\n<~ (a*)*b\n", "t.txt");
    EXPECT_FALSE(transcript.cases.at(0).steps.at(0).responses.at(0).matches(std::string(100000, 'a')));
}

// ---- malformed input, found before anything is sent (SRS-331) ----

TEST(TranscriptParserTest, Parse_RefusesALineWithNoKnownPrefix_NamingFileAndLine_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("> a\nping\n"),
              "t.txt:2: a line must start with '>', '<', '<~', '<*', '@', '#' or '##': 'ping'");
    EXPECT_EQ(error_of(">ping\n"), "t.txt:1: '>' must be followed by a space: '>ping'");
    EXPECT_EQ(error_of("> a\n<pong\n"), "t.txt:2: '<' must be followed by a space: '<pong'");
}

TEST(TranscriptParserTest, Parse_RefusesAResponseBeforeAnyCommand_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("# x\n< pong\n"), "t.txt:2: a response line before any command");
    EXPECT_EQ(error_of("> a\n## b\n< pong\n"), "t.txt:3: a response line before any command of case 'b'");
}

TEST(TranscriptParserTest, Parse_RefusesABadPattern_OrSaysThereIsNoRe2_SRS331) {
    RecordProperty("srs", "SRS-331");
    const std::string error = error_of("> a\n<~ (unclosed\n");
    if (kHaveRe2) {
        EXPECT_EQ(error.rfind("t.txt:2: not a valid RE2 pattern: ", 0), 0U) << error;
    } else {
        EXPECT_EQ(error.rfind("t.txt:2: this build of oneline has no regular expressions", 0), 0U) << error;
    }
    EXPECT_EQ(error_of("> a\n<~\n"), "t.txt:2: '<~' needs a pattern after it (an empty response is '<')");
}

TEST(TranscriptParserTest, Parse_RefusesResponsesAfterAnyRest_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("> a\n<*\n< b\n"), "t.txt:3: '<*' must be the last response line of its command (line 2)");
    EXPECT_EQ(error_of("> a\n<* x\n"), "t.txt:2: '<*' takes nothing after it");
}

TEST(TranscriptParserTest, Parse_RefusesBadDirectives_AndOnesWithNoCommandAfterThem_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("@ wait 1\n> a\n"), "t.txt:1: '@' takes 'timeout SECONDS' or 'pause SECONDS'");
    EXPECT_EQ(error_of("@ timeout 0\n> a\n"), "t.txt:1: '0' is not a number of seconds above 0 up to 86400");
    EXPECT_EQ(error_of("@ pause -1\n> a\n"), "t.txt:1: '-1' is not a number of seconds from 0 up to 86400");
    EXPECT_EQ(error_of("@ pause 1s\n> a\n"), "t.txt:1: '1s' is not a number of seconds from 0 up to 86400");
    EXPECT_EQ(error_of("> a\n@ timeout 1\n## b\n> c\n"), "t.txt:2: '@ timeout' has no command after it in its case");
    EXPECT_EQ(error_of("> a\n@ pause 1\n"), "t.txt:2: '@ pause' has no command after it in its case");
}

TEST(TranscriptParserTest, Parse_RefusesBadCases_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("##\n> a\n"), "t.txt:1: '##' needs the case's name after it");
    EXPECT_EQ(error_of("##x\n> a\n"), "t.txt:1: '##' must be followed by a space and the case's name");
    EXPECT_EQ(error_of("## a\n## b\n> c\n"), "t.txt:1: case 'a' has no command");
    EXPECT_EQ(error_of("## a\n> x\n## b\n"), "t.txt:3: case 'b' has no command");
    EXPECT_EQ(error_of("## a\n> x\n## a\n> y\n"), "t.txt:3: case 'a' is already named at line 1");
    EXPECT_EQ(error_of("## a [SRS-1\n> x\n"), "t.txt:1: the requirement ids open a '[' that no ']' closes");
}

TEST(TranscriptParserTest, Parse_RefusesAGoodbyeThatIsNotTheLastCommand_OrThatExpectsResponses_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("> disconnect\n> a\n"),
              "t.txt:1: the server closes the connection on this command: only the file's last command may be one");
    EXPECT_EQ(error_of("> shutdown\n< bye\n"),
              "t.txt:2: 'shutdown' gets no response: the server closes the connection");
}

TEST(TranscriptParserTest, Parse_RefusesATranscriptThatSendsNothing_SRS331) {
    RecordProperty("srs", "SRS-331");
    EXPECT_EQ(error_of("# nothing\n\n"), "t.txt: has no command: a transcript that sends nothing checks nothing");
    EXPECT_EQ(error_of(""), "t.txt: has no command: a transcript that sends nothing checks nothing");
}

TEST(TranscriptParserTest, Read_RefusesAMissingFile_AndOneLargerThanItsBound_SRS331) {
    RecordProperty("srs", "SRS-331");
    const std::string path = ::testing::TempDir() + "transcript_parser_test.txt";
    std::remove(path.c_str());
    try {
        read_transcript(path);
        ADD_FAILURE() << "a missing file was read";
    } catch (const TranscriptError& error) {
        EXPECT_EQ(std::string(error.what()).rfind(path + ": cannot be opened: ", 0), 0U) << error.what();
        EXPECT_EQ(error.line(), 0U);
    }
    std::ofstream(path, std::ios::binary) << "> a\n< b\n";
    EXPECT_EQ(read_transcript(path).cases.at(0).steps.at(0).responses.at(0).text(), "b");
    try {
        read_transcript(path, 4);
        ADD_FAILURE() << "a file past its bound was read";
    } catch (const TranscriptError& error) {
        EXPECT_EQ(std::string(error.what()), path + ": is larger than 4 bytes");
    }
    std::remove(path.c_str());
}

// ---- what a recording writes (SRS-332) ----

TEST(TranscriptParserTest, WriteStep_WritesLinesThatReadBackAsTheSameStep_SRS332) {
    RecordProperty("srs", "SRS-332");
    const std::vector<std::string> responses{"pong", "", "< odd", "~ tilde", "*", " lead"};
    const std::string written = write_transcript_step(" cmd #1", responses);
    EXPECT_EQ(written, ">  cmd #1\n< pong\n<\n< < odd\n< ~ tilde\n< *\n<  lead\n");
    const Transcript transcript = parse_transcript(written + write_transcript_step("", {}), "t.txt");
    const auto& steps = transcript.cases.at(0).steps;
    ASSERT_EQ(steps.size(), 2U);
    EXPECT_EQ(steps[0].command, " cmd #1");
    ASSERT_EQ(steps[0].responses.size(), responses.size());
    for (std::size_t i = 0; i < responses.size(); ++i) {
        EXPECT_EQ(steps[0].responses[i].kind(), Kind::exact);
        EXPECT_EQ(steps[0].responses[i].text(), responses[i]);
    }
    EXPECT_EQ(steps[1].command, "");
}

TEST(TranscriptParserTest, WriteStep_RefusesWhatALineCannotHold_SRS332) {
    RecordProperty("srs", "SRS-332");
    EXPECT_THROW(write_transcript_step("a\nb", {}), TranscriptError);
    EXPECT_THROW(write_transcript_step("a", {"x\r"}), TranscriptError);
    EXPECT_THROW(write_transcript_step("a\r", {}), TranscriptError);
}

}  // namespace
}  // namespace oneline
