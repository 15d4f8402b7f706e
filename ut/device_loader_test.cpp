// Bad device files never load: each mistake is one DeviceError naming the line it is on.
#include <oneline/device.hpp>

#include <gtest/gtest.h>

#include <string>

namespace oneline {
namespace {

// The error a file gives, as "LINE: message".
std::string load_error(const std::string& text, const std::string& name = {}) {
    if (!Device::built_in()) {
        return "not built in";
    }
    try {
        DeviceOptions options;
        options.name = name;
        Device::from_string(text, options, "test.yaml");
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.source(), "test.yaml");
        EXPECT_EQ(std::string(error.what()).rfind("test.yaml:", 0), 0u) << error.what();
        return std::to_string(error.line()) + ": " + error.message();
    }
    return "loaded";
}

const std::string kHead = "spec: \"1.1\"\ndevices:\n  dev:\n";

class DeviceLoaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!Device::built_in()) {
            GTEST_SKIP() << "this build has no device engine";
        }
    }
};

TEST_F(DeviceLoaderTest, Loads_AWellFormedDevice) {
    EXPECT_EQ(load_error(kHead + "    dialogues:\n      - q: a\n        r: b\n"), "loaded");
}

TEST_F(DeviceLoaderTest, NamesTheLine_OfAYamlSyntaxError_SRS203) {
    EXPECT_EQ(load_error(kHead + "    dialogues:\n      - q: [a\n").substr(0, 2), "6:");
    EXPECT_NE(load_error("spec: [1\n").find("YAML syntax"), std::string::npos);
}

TEST_F(DeviceLoaderTest, NamesTheLine_OfAnUnknownKey_SRS203) {
    EXPECT_EQ(load_error(kHead + "    dialogs:\n      - q: a\n"),
              "4: unknown key 'dialogs' in device 'dev' (expected eom, error, dialogues, properties, channels, "
              "delimiter)");
    EXPECT_EQ(load_error(kHead + "    dialogues:\n      - q: a\n        x: b\n").substr(0, 3), "6: ");
}

TEST_F(DeviceLoaderTest, NamesTheLine_OfAWrongType_SRS203) {
    EXPECT_EQ(load_error(kHead + "    dialogues:\n      - q: [a, b]\n"), "5: q must be a string, not a list");
    EXPECT_EQ(load_error(kHead + "    properties: [a]\n"), "4: properties must be a mapping, not a list");
}

TEST_F(DeviceLoaderTest, RefusesASpecThatCannotHold_SRS203) {
    const std::string property = kHead + "    properties:\n      v:\n        default: 50\n" +
                                 "        specs:\n          min: 0\n          max: 10\n          type: float\n";
    EXPECT_EQ(load_error(property), "6: the default of 'v' does not hold: 50.0 is more than the maximum 10.0");
    EXPECT_EQ(load_error(kHead + "    properties:\n      v:\n        specs:\n          type: double\n"),
              "7: type 'double' is not int, float or str");
    EXPECT_EQ(load_error(kHead + "    properties:\n      v:\n        default: 1\n        specs:\n          min: low\n"
                                 "          type: int\n"),
              "8: min 'low' is not a int");
    EXPECT_EQ(load_error(kHead + "    properties:\n      v:\n        specs:\n          min: 1\n"),
              "6: specs need a 'type': int, float or str");
}

TEST_F(DeviceLoaderTest, RefusesAFormatThatCannotFormat_SRS203) {
    const std::string getter = kHead + "    properties:\n      v:\n        default: 1.5\n" +
                               "        getter:\n          q: V?\n          r: \"{:d}\"\n" +
                               "        specs:\n          type: float\n";
    EXPECT_EQ(load_error(getter), "9: getter of 'v': a format 'd' cannot format a float");
    EXPECT_EQ(load_error(kHead + "    properties:\n      v:\n        default: abc\n        getter:\n          q: V?\n"
                                 "          r: \"{:.2f}\"\n"),
              "9: getter of 'v': the default 'abc' is no number for this format");
    EXPECT_NE(
        load_error(kHead + "    properties:\n      v:\n        getter:\n          q: V?\n          r: \"{:.2f\"\n")
            .find("an unclosed '{'"),
        std::string::npos);
    EXPECT_NE(load_error(kHead + "    properties:\n      v:\n        setter:\n          q: \"V {:d} {:d}\"\n")
                  .find("more than one value field"),
              std::string::npos);
}

TEST_F(DeviceLoaderTest, RefusesABadRandom_SRS203) {
    EXPECT_EQ(load_error(kHead + "    dialogues:\n      - q: R?\n        r: \"{RANDOM(0, 1):.2f}\"\n").substr(0, 35),
              "6: malformed RANDOM directive in '{");
    EXPECT_NE(load_error(kHead + "    dialogues:\n      - q: R?\n        r: \"{RANDOM(0, 1, 99999):.2f}\"\n")
                  .find("not 0 to 10000"),
              std::string::npos);
    EXPECT_NE(load_error(kHead + "    dialogues:\n      - q: R?\n        r: \"{RANDOM(0, 1, 2):d}\"\n")
                  .find("cannot format a float"),
              std::string::npos);
}

TEST_F(DeviceLoaderTest, RefusesBytesTheLineProtocolCannotCarry_SRS204) {
    EXPECT_NE(
        load_error(kHead + "    dialogues:\n      - q: B?\n        r: \"BYTES(\\x01\\n\\x02)\"\n").find("line feed"),
        std::string::npos);
    EXPECT_NE(load_error(kHead + "    dialogues:\n      - q: B?\n        r: \"BYTES(\\u0101)\"\n").find("U+00FF"),
              std::string::npos);
}

TEST_F(DeviceLoaderTest, ChecksTheSpecVersion) {
    EXPECT_EQ(load_error("spec: \"2.0\"\ndevices:\n  d:\n    error: E\n"), "1: spec version '2.0' is not 1.0 or 1.1");
    EXPECT_EQ(load_error("devices:\n  d:\n    error: E\n"), "1: the file gives no spec version (spec: \"1.1\")");
    EXPECT_EQ(load_error(""), "1: the file is empty (a device file has 'spec' and 'devices')");
}

TEST_F(DeviceLoaderTest, ListsTheDevices_WhenSeveralAndNoneNamed_SRS202) {
    const std::string two = "spec: \"1.0\"\ndevices:\n  a:\n    error: E\n  b:\n    error: [not, a, device]\n";
    try {
        Device::from_string(two);
        FAIL() << "loaded";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), DeviceError::Kind::name_needed);
        EXPECT_EQ(error.device_names(), (std::vector<std::string>{"a", "b"}));
    }
    EXPECT_EQ(load_error(two, "c"), "2: the file has no device 'c'; it has 'a', 'b'");
}

TEST_F(DeviceLoaderTest, CompilesOnlyTheChosenDevice_SRS202) {
    // The other device's mistake (a bad format) is not the chosen one's.
    const std::string two =
        "spec: \"1.0\"\ndevices:\n  good:\n    error: E\n  bad:\n    properties:\n      v:\n"
        "        getter:\n          q: V?\n          r: \"{:q}\"\n";
    EXPECT_EQ(load_error(two, "good"), "loaded");
    EXPECT_NE(load_error(two, "bad").find("unknown type 'q'"), std::string::npos);
}

TEST_F(DeviceLoaderTest, SaysAFileCannotBeRead_SRS203) {
    try {
        Device::from_file("/nonexistent/device.yaml");
        FAIL() << "loaded";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), DeviceError::Kind::unreadable);
        EXPECT_EQ(std::string(error.what()).rfind("/nonexistent/device.yaml: cannot read", 0), 0u) << error.what();
    }
}

TEST_F(DeviceLoaderTest, NeverCrashes_OnTruncatedFiles) {
    // Every prefix of a valid file either loads or is refused with a DeviceError.
    const std::string file = kHead +
                             "    error:\n      status_register:\n        - q: \"*ESR?\"\n          command_error: 32\n"
                             "    properties:\n      v:\n        default: 1\n        getter: {q: \"V?\", r: \"{:d}\"}\n"
                             "        setter: {q: \"V {:d}\", r: OK}\n        specs: {min: 0, max: 9, type: int}\n"
                             "    channels:\n      c:\n        ids: [1, 2]\n        properties:\n          w:\n"
                             "            getter: {q: \"C{ch_id}?\", r: \"{}\"}\n";
    int loaded = 0;
    for (std::size_t length = 0; length <= file.size(); ++length) {
        try {
            Device::from_string(file.substr(0, length));
            ++loaded;
        } catch (const DeviceError&) {
        }
    }
    EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace oneline
