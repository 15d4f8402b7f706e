// The handler's JSON Lines: the request written per command, and what an answer line may hold.
#include "handler/handler_protocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oneline::handler {
namespace {

using namespace std::string_literals;

std::string request(std::string_view command, bool is_invalid = false) {
    std::string out;
    append_request(out, command, is_invalid);
    return out;
}

struct Parsed {
    std::string problem;
    std::vector<std::string> responses;
};

Parsed parse(std::string_view line, std::size_t max_responses = 10) {
    Parsed parsed;
    parsed.responses = {"left from before"};
    parsed.problem = parse_answer(line, max_responses, parsed.responses);
    return parsed;
}

TEST(HandlerProtocol, Request_IsOneJsonLine_WithCommandThenInvalid) {
    ::testing::Test::RecordProperty("srs", "SRS-301");
    EXPECT_EQ(request("?FREQ"), "{\"command\": \"?FREQ\", \"invalid\": false}\n");
    EXPECT_EQ(request("caf", true), "{\"command\": \"caf\", \"invalid\": true}\n");
}

TEST(HandlerProtocol, Request_EscapesQuotesBackslashesAndControlBytes) {
    EXPECT_EQ(request("a\"b\\c\td\0e"s), "{\"command\": \"a\\\"b\\\\c\\td\\u0000e\", \"invalid\": false}\n");
    EXPECT_EQ(request("\r"), "{\"command\": \"\\r\", \"invalid\": false}\n");
}

TEST(HandlerProtocol, Request_KeepsUtf8_AndReplacesBytesThatAreNot) {
    EXPECT_EQ(request("caf\xC3\xA9"), "{\"command\": \"caf\xC3\xA9\", \"invalid\": false}\n");
    EXPECT_EQ(request("a\xFF", true), "{\"command\": \"a\xEF\xBF\xBD\", \"invalid\": true}\n");
}

TEST(HandlerProtocol, Answer_GivesItsResponsesInOrder) {
    ::testing::Test::RecordProperty("srs", "SRS-301");
    const Parsed parsed = parse(R"({"responses": ["one", "", "three"]})");
    EXPECT_EQ(parsed.problem, "");
    EXPECT_EQ(parsed.responses, (std::vector<std::string>{"one", "", "three"}));
}

TEST(HandlerProtocol, Answer_WithNoResponses_IsValidAndEmpty) {
    const Parsed parsed = parse(R"({"responses": []})");
    EXPECT_EQ(parsed.problem, "");
    EXPECT_TRUE(parsed.responses.empty());
}

TEST(HandlerProtocol, Answer_IgnoresOtherMembers_NestedOnesToo) {
    const Parsed parsed = parse(R"({"note": {"responses": 3, "a": [1, {"b": null}]}, "responses": ["x"], "n": 2})");
    EXPECT_EQ(parsed.problem, "");
    EXPECT_EQ(parsed.responses, std::vector<std::string>{"x"});
}

TEST(HandlerProtocol, Answer_AllowsSurroundingWhitespace_ACarriageReturnToo) {
    EXPECT_EQ(parse(" {\"responses\": [\"x\"]} \r").problem, "");
}

TEST(HandlerProtocol, Answer_KeepsEscapedText) {
    const Parsed parsed = parse(R"({"responses": ["tab\there", "\u00e9", "cr\r"]})");
    EXPECT_EQ(parsed.problem, "");
    EXPECT_EQ(parsed.responses, (std::vector<std::string>{"tab\there", "\xC3\xA9", "cr\r"}));
}

TEST(HandlerProtocol, NotJson_IsAProblemThatSaysSo) {
    ::testing::Test::RecordProperty("srs", "SRS-305");
    const Parsed parsed = parse("hello");
    EXPECT_EQ(parsed.problem.rfind("not JSON: ", 0), 0U) << parsed.problem;
    EXPECT_EQ(parsed.problem.find("[json.exception"), std::string::npos) << parsed.problem;
    EXPECT_TRUE(parsed.responses.empty());
}

TEST(HandlerProtocol, EmptyLine_AndTrailingText_AreNotJson) {
    EXPECT_EQ(parse("").problem.rfind("not JSON: ", 0), 0U);
    EXPECT_EQ(parse(R"({"responses": []} {})").problem.rfind("not JSON: ", 0), 0U);
}

TEST(HandlerProtocol, AnythingButAnObject_IsAProblem) {
    EXPECT_EQ(parse(R"(["x"])").problem, "not a JSON object");
    EXPECT_EQ(parse(R"("x")").problem, "not a JSON object");
    EXPECT_EQ(parse("42").problem, "not a JSON object");
}

TEST(HandlerProtocol, MissingResponses_IsAProblem) {
    ::testing::Test::RecordProperty("srs", "SRS-305");
    const Parsed parsed = parse(R"({"response": ["x"]})");
    EXPECT_EQ(parsed.problem, "no \"responses\" member");
    EXPECT_TRUE(parsed.responses.empty());
}

TEST(HandlerProtocol, ResponsesOfAnotherType_IsAProblem) {
    EXPECT_EQ(parse(R"({"responses": "x"})").problem, "\"responses\" is a string, not an array");
    EXPECT_EQ(parse(R"({"responses": null})").problem, "\"responses\" is null, not an array");
    EXPECT_EQ(parse(R"({"responses": {}})").problem, "\"responses\" is an object, not an array");
}

TEST(HandlerProtocol, AResponseThatIsNotAString_IsAProblemNamingIt) {
    EXPECT_EQ(parse(R"({"responses": ["a", 2]})").problem, "response 2 is not a string");
    EXPECT_EQ(parse(R"({"responses": [["a"]]})").problem, "response 1 is not a string");
    EXPECT_EQ(parse(R"({"responses": ["a", "b", {}]})").problem, "response 3 is not a string");
    const Parsed parsed = parse(R"({"responses": ["a", true]})");
    EXPECT_TRUE(parsed.responses.empty());
}

TEST(HandlerProtocol, MoreResponsesThanTheLimit_IsAProblem_AtTheLimitIsNot) {
    ::testing::Test::RecordProperty("srs", "SRS-305");
    EXPECT_EQ(parse(R"({"responses": ["1", "2", "3"]})", 3).problem, "");
    EXPECT_EQ(parse(R"({"responses": ["1", "2", "3", "4"]})", 3).problem, "more than 3 responses");
}

TEST(HandlerProtocol, TooManyResponses_AreRefusedAsTheyCome_NotBuiltWhole) {
    std::string line = R"({"responses": [)";
    for (int i = 0; i < 100000; ++i) {
        line += "\"x\",";
    }
    line += "not even JSON";  // never reached: the limit is found first
    EXPECT_EQ(parse(line, 5).problem, "more than 5 responses");
}

TEST(HandlerProtocol, AResponseWithALineFeed_IsAProblem) {
    ::testing::Test::RecordProperty("srs", "SRS-305");
    EXPECT_EQ(parse(R"({"responses": ["ok", "two\nlines"]})").problem, "response 2 holds a line feed");
}

TEST(HandlerProtocol, TwoResponsesMembers_IsAProblem) {
    EXPECT_EQ(parse(R"({"responses": ["a"], "responses": ["b"]})").problem, "two \"responses\" members");
}

}  // namespace
}  // namespace oneline::handler
