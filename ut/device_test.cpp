// oneline::Device: a pyvisa-sim device file answered as pyvisa-sim answers it, through the
// library's API and through a real Server on a loopback socket. The files are the project's own
// (test/devices) or written here; the expectations are what pyvisa-sim's engine gives.
#include "test/support/raw_socket.hpp"

#include <oneline/device.hpp>
#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace oneline {
namespace {

using Lines = std::vector<std::string>;

const std::string kFiles = ONELINE_DEVICE_FILES_DIR;

class DeviceTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!Device::built_in()) {
            GTEST_SKIP() << "this build has no device engine";
        }
    }

    static Device power_supply() {
        DeviceOptions options;
        options.seed = 42;
        return Device::from_file(kFiles + "/power_supply.yaml", options);
    }
};

TEST_F(DeviceTest, AnswersDialoguesGettersAndSetters_SRS200) {
    Device device = power_supply();
    EXPECT_EQ(device.name(), "PS-2000");
    EXPECT_EQ(device.answer("*IDN?"), Lines{"Oneline Instruments,PS-2000,SN0042,1.0"});
    EXPECT_EQ(device.answer("*CLS"), Lines{}) << "a dialogue without r answers nothing";
    EXPECT_EQ(device.answer("OUTP?"), Lines{"0"});
    EXPECT_EQ(device.answer("OUTP 1"), Lines{"OK"});
    EXPECT_EQ(device.answer("OUTP?"), Lines{"1"});
    EXPECT_EQ(device.answer("MODE?"), Lines{"CV"});
    EXPECT_EQ(device.answer("MODE CC"), Lines{}) << "a setter without r answers nothing";
    EXPECT_EQ(device.answer("MODE?"), Lines{"CC"});
    EXPECT_EQ(device.answer("MEAS:TEMP?"), Lines{"+2.50E+01"});
}

TEST_F(DeviceTest, AnswersErrors_AndKeepsTheValue_WhenASpecDoesNotHold_SRS201) {
    Device device = power_supply();
    EXPECT_EQ(device.answer("OUTP 7"), Lines{"ERR unknown command"}) << "no e: the command error";
    EXPECT_EQ(device.answer("OUTP?"), Lines{"0"});
    EXPECT_EQ(device.answer("MODE XX"), Lines{"ERR mode is CV or CC"}) << "the setter's own e";
    EXPECT_EQ(device.answer("MODE?"), Lines{"CV"});
    EXPECT_EQ(device.answer("BOGUS"), Lines{"ERR unknown command"});
}

TEST_F(DeviceTest, StatusRegisterReadsAndClears_ErrorQueueIsFirstInFirstOut_SRS201) {
    Device device = power_supply();
    EXPECT_EQ(device.answer("*ESR?"), Lines{"0"});
    EXPECT_EQ(device.answer("SYST:ERR?"), Lines{"0,No error"});
    device.answer("BOGUS");
    device.answer("OUTP 9");
    EXPECT_EQ(device.answer("*ESR?"), Lines{"32"});
    EXPECT_EQ(device.answer("*ESR?"), Lines{"0"}) << "reading clears it";
    EXPECT_EQ(device.answer("SYST:ERR?"), Lines{"-100,Command error"});
    EXPECT_EQ(device.answer("SYST:ERR?"), Lines{"-100,Command error"});
    EXPECT_EQ(device.answer("SYST:ERR?"), Lines{"0,No error"});
    device.answer("MODE XX");  // a setter's own e raises no error
    EXPECT_EQ(device.answer("*ESR?"), Lines{"0"});
}

TEST_F(DeviceTest, KeepsAValuePerChannel_SRS205) {
    Device device = power_supply();
    EXPECT_EQ(device.answer("CH1:VOLT?"), Lines{"0.000"});
    EXPECT_EQ(device.answer("CH1:VOLT 12.50"), Lines{"OK"});
    EXPECT_EQ(device.answer("CH1:VOLT?"), Lines{"12.500"});
    EXPECT_EQ(device.answer("CH2:VOLT?"), Lines{"0.000"});
    EXPECT_EQ(device.answer("CH2:VOLT 31.0"), Lines{"ERR voltage is 0 to 30"});
    EXPECT_EQ(device.answer("CH3:VOLT?"), Lines{"ERR unknown command"}) << "no channel 3";
    EXPECT_EQ(device.answer("CH2:CURR 9.0"), Lines{"ERR unknown command"}) << "a channel's error without e";
    EXPECT_EQ(device.answer("*ESR?"), Lines{"32"});
}

TEST_F(DeviceTest, SplitsACommandAtTheDelimiter_AndAnswersInOrder_SRS206) {
    Device device = power_supply();
    EXPECT_EQ(device.answer("OUTP 1;OUTP?;*CLS;BOGUS;MODE?"), (Lines{"OK", "1", "ERR unknown command", "CV"}));
    EXPECT_EQ(device.answer(";"), (Lines{"ERR unknown command", "ERR unknown command"})) << "two empty parts";
    const Device other = Device::from_string(
        "spec: '1.1'\ndevices:\n  d:\n    delimiter: '&&'\n    dialogues:\n      - {q: a, r: A}\n      - {q: b;c, r: BC}\n");
    Device& d = const_cast<Device&>(other);
    EXPECT_EQ(d.answer("a&&b;c"), (Lines{"A", "BC"}));
}

TEST_F(DeviceTest, DrawsRandomValues_AsPythonsRandomDoes_SRS207) {
    Device device = power_supply();
    // CPython: random.seed(42); ", ".join("{:.5f}".format(random.uniform(0, 0.01)) for _ in range(3))
    EXPECT_EQ(device.answer("MEAS:NOISE?"), Lines{"0.00639, 0.00025, 0.00275"});
    device.seed(42);
    EXPECT_EQ(device.answer("MEAS:NOISE?"), Lines{"0.00639, 0.00025, 0.00275"});
}

TEST_F(DeviceTest, MatchesInPyvisaSimsOrder) {
    // The same query as a dialogue and a getter: the dialogue answers. The same as a register and
    // a getter: the getter. A later dialogue replaces an earlier one with the same query.
    Device device = Device::from_string(
        "spec: '1.1'\ndevices:\n  d:\n    error:\n      status_register:\n        - {q: 'S?', command_error: 4}\n"
        "    dialogues:\n      - {q: 'X?', r: dialogue}\n      - {q: 'Y?', r: first}\n      - {q: 'Y?', r: second}\n"
        "    properties:\n      x:\n        default: getter\n        getter: {q: 'X?', r: '{}'}\n"
        "      s:\n        default: '7'\n        getter: {q: 'S?', r: 'getter {}'}\n"
        "      a:\n        default: '1'\n        setter: {q: 'SET {:d}', r: first}\n"
        "        specs: {type: int, max: 5}\n"
        "      b:\n        default: '1'\n        setter: {q: 'SET {}', r: second}\n");
    EXPECT_EQ(device.answer("X?"), Lines{"dialogue"});
    EXPECT_EQ(device.answer("Y?"), Lines{"second"});
    EXPECT_EQ(device.answer("S?"), Lines{"getter 7"});
    EXPECT_EQ(device.answer("SET 3"), Lines{"first"});
    EXPECT_EQ(device.answer("SET 9"), Lines{"second"}) << "a failed setter without e tries the next";
    EXPECT_EQ(device.get("b"), "9");
}

TEST_F(DeviceTest, SelectsTheChannelByAProperty_WhenChannelsCannotBeSelected_SRS205) {
    Device device = Device::from_string(
        "spec: '1.1'\ndevices:\n  d:\n    error: ERROR\n    properties:\n      selected_channel:\n"
        "        default: 1\n        getter: {q: 'I?', r: '{}'}\n        setter: {q: 'I {}'}\n"
        "    channels:\n      c:\n        ids: [1, 2]\n        can_select: False\n        properties:\n"
        "          f:\n            default: 1.0\n            getter: {q: 'F?', r: '{:.3f}'}\n"
        "            setter: {q: 'F {:.3f}'}\n            specs: {type: float, min: 1, max: 10}\n");
    EXPECT_EQ(device.answer("F?"), Lines{"1.000"});
    EXPECT_EQ(device.answer("F 5.0"), Lines{});
    EXPECT_EQ(device.answer("F?"), Lines{"5.000"});
    EXPECT_EQ(device.answer("I 2;F?"), Lines{"1.000"});
    EXPECT_EQ(device.answer("I 3;F?"), Lines{"ERROR"});
}

TEST_F(DeviceTest, ServesBytesAndEscapes_TheLineProtocolCanCarry_SRS204) {
    Device device = Device::from_string(
        "spec: '1.1'\ndevices:\n  d:\n    dialogues:\n      - {q: 'RAW?', r: \"BYTES(\\x01\\x02\\x7f)\"}\n"
        "      - {q: 'CR?', r: 'a\\rb'}\n      - {q: 'BYTES(AB)?', r: ok}\n");
    EXPECT_EQ(device.answer("RAW?"), Lines{"\x01\x02\x7f"});
    EXPECT_EQ(device.answer("CR?"), Lines{"a\rb"});
    EXPECT_EQ(device.answer("AB?"), Lines{"ok"});
}

TEST_F(DeviceTest, HostReadsAndSetsProperties_CheckedByTheirSpecs_SRS208) {
    Device device = power_supply();
    device.set("temperature", "31.5");
    EXPECT_EQ(device.get("temperature"), "31.5");
    EXPECT_EQ(device.answer("MEAS:TEMP?"), Lines{"+3.15E+01"});
    device.set("voltage", "7.25", "2");
    EXPECT_EQ(device.answer("CH2:VOLT?"), Lines{"7.250"});
    EXPECT_EQ(device.get("voltage", "1"), "0.0");
    EXPECT_THROW(device.set("output", "3"), std::invalid_argument);
    EXPECT_THROW(device.set("temperature", "warm"), std::invalid_argument);
    EXPECT_THROW(device.get("nothing"), std::out_of_range);
    EXPECT_EQ(device.property_names(), (Lines{"output", "mode", "temperature", "voltage", "current"}));
}

TEST_F(DeviceTest, FallbackAnswersWhatTheFileDoesNotKnow_SRS208) {
    Device device = power_supply();
    device.set_fallback([](std::string_view part, bool, Reply& reply) { reply.send("host: " + std::string(part)); });
    EXPECT_EQ(device.answer("*IDN?;CUSTOM"), (Lines{"Oneline Instruments,PS-2000,SN0042,1.0", "host: CUSTOM"}));
    EXPECT_EQ(device.answer("*ESR?"), Lines{"0"}) << "what the fallback answers is no error";
    EXPECT_EQ(device.answer("garbled", true), Lines{"host: garbled"});
}

TEST_F(DeviceTest, LogsWhichRuleAnswered_SRS209) {
    Device device = power_supply();
    std::vector<std::string> lines;
    device.set_rule_log([&lines](std::string_view line) { lines.emplace_back(line); });
    device.answer("OUTP?;BOGUS");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "device 'PS-2000': 'OUTP?' -> getter of 'output' (line 32)");
    EXPECT_EQ(lines[1], "device 'PS-2000': 'BOGUS' -> no rule: the command error");
}

TEST_F(DeviceTest, HostUpdatesWhileAServerAnswers_ThreadSafe_SRS208) {
    Device device = power_supply();
    std::atomic<bool> done{false};
    std::thread host([&] {
        for (int i = 0; !done && i < 100000; ++i) {
            device.set("temperature", std::to_string(20 + i % 10));
        }
    });
    for (int i = 0; i < 2000; ++i) {
        const Lines answer = device.answer("MEAS:TEMP?");
        ASSERT_EQ(answer.size(), 1u);
        ASSERT_EQ(answer[0].size(), 9u) << answer[0];
    }
    done = true;
    host.join();
}

TEST_F(DeviceTest, ServesOverARealSocket_AsAServersReplyCallback_SRS200) {
    Device device = power_supply();
    ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.reply_callback = device.reply_callback();
    Server server(config);
    server.start();
    test::RawSocket client = test::RawSocket::connect(server.port());
    ASSERT_TRUE(client.send_all("*IDN?\nCH1:VOLT 3.30;CH1:VOLT?\n*CLS\nping\n"));
    EXPECT_EQ(client.read_line(), "Oneline Instruments,PS-2000,SN0042,1.0");
    EXPECT_EQ(client.read_line(), "OK");
    EXPECT_EQ(client.read_line(), "3.300");
    EXPECT_EQ(client.read_line(), "pong") << "*CLS answers nothing";
    server.stop();
}

}  // namespace
}  // namespace oneline
