// oneline::Client: connecting that waits for a server (connect(timeout, wait)), pipelined batches
// (send_batch) and the native handle. Against a real Server, or a raw socket standing in for one,
// on loopback port 0.
#include "support/recording_logger.hpp"
#include "support/server_fixture.hpp"
#include "support/wait.hpp"
#include "test/support/raw_listener.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/client.hpp>
#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;

class ClientPipelineTest : public ServerTest {
protected:
    ClientConfig client_config(std::uint16_t port) {
        ClientConfig config;
        config.address = "127.0.0.1";
        config.port = port;
        config.logger = client_logger_;
        config.verbose = true;
        return config;
    }

    /// A server whose callback answers each command with `copies` responses "<command>:<i>",
    /// each padded to `size` bytes.
    void start_answering(std::size_t copies, std::size_t size = 0) {
        start_server({}, [this, copies, size](std::string_view command, bool) {
            for (std::size_t i = 0; i < copies; ++i) {
                server_->send(answer(command, i, size));
            }
        });
    }

    static std::string answer(std::string_view command, std::size_t index, std::size_t size) {
        std::string text = std::string(command) + ":" + std::to_string(index);
        if (text.size() < size) {
            text.resize(size, '.');
        }
        return text;
    }

    std::shared_ptr<RecordingLogger> client_logger_ = std::make_shared<RecordingLogger>();
};

std::uint16_t unused_port() {
    RawListener listener;
    return listener.port();
}

std::vector<std::string> numbered(std::size_t count, std::size_t size = 0) {
    std::vector<std::string> commands;
    commands.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string command = "c" + std::to_string(i);
        if (command.size() < size) {
            command.resize(size, '-');
        }
        commands.push_back(std::move(command));
    }
    return commands;
}

/// Sends every command with send_batch, taking what is buffered whenever it stops early, and checks
/// that every answer comes in order: `copies` per command.
void pipeline_and_check(Client& client, const std::vector<std::string>& commands, std::size_t copies, std::size_t size,
                        std::size_t& early_returns) {
    std::vector<std::string_view> rest(commands.begin(), commands.end());
    std::size_t expected = 0;  // the next answer, counted over all commands
    const auto check_next = [&](const std::string& got) {
        const std::size_t command = expected / copies;
        ASSERT_LT(command, commands.size()) << "an answer too many: " << got;
        std::string want = commands[command] + ":" + std::to_string(expected % copies);
        if (want.size() < size) {
            want.resize(size, '.');
        }
        ASSERT_EQ(got, want);
        ++expected;
    };
    while (!rest.empty()) {
        const std::size_t sent = client.send_batch(rest);
        ASSERT_TRUE(client.connected());
        rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(sent));
        if (!rest.empty()) {
            ++early_returns;
        }
        while (std::optional<std::string> got = client.recv(0ms)) {
            check_next(*got);
        }
    }
    while (expected < commands.size() * copies) {
        const std::optional<std::string> got = client.recv(kPatience);
        ASSERT_TRUE(got) << "answer " << expected << " did not come";
        check_next(*got);
    }
}

// ---- connecting that waits ----

TEST_F(ClientPipelineTest, ConnectWaiting_SucceedsOnceTheServerStarts_SRS080) {
    const std::uint16_t port = unused_port();
    Client client(client_config(port));
    auto connecting = std::async(std::launch::async, [&client] { client.connect(1000ms, kPatience); });
    // It has been refused at least once before the server is there.
    ASSERT_TRUE(client_logger_->wait_for("trying again", kPatience)) << client_logger_->text();
    start_server([port](ServerConfig& config) { config.port = port; });
    ASSERT_EQ(connecting.wait_for(kPatience), std::future_status::ready);
    connecting.get();
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(client.disconnect());
}

TEST_F(ClientPipelineTest, ConnectWaiting_WaitsForABusyServerToBeFree_SRS080) {
    start_server();
    Client first(client_config(server_->port()));
    first.connect();
    Client second(client_config(server_->port()));
    auto connecting = std::async(std::launch::async, [&second] { second.connect(1000ms, kPatience); });
    ASSERT_TRUE(client_logger_->wait_for("trying again", kPatience)) << client_logger_->text();
    EXPECT_NE(connecting.wait_for(0ms), std::future_status::ready);
    EXPECT_TRUE(first.disconnect());
    ASSERT_EQ(connecting.wait_for(kPatience), std::future_status::ready);
    connecting.get();
    EXPECT_TRUE(second.connected());
}

TEST_F(ClientPipelineTest, ConnectWaiting_GivesUpAfterTheWaitWithTheLastReason_SRS080) {
    Client client(client_config(unused_port()));
    const auto start = std::chrono::steady_clock::now();
    std::error_code code;
    try {
        client.connect(1000ms, 300ms);
    } catch (const Error& error) {
        code = error.code();
    }
    const long long took = elapsed_ms(start);
    EXPECT_EQ(code, std::errc::connection_refused);
    EXPECT_GE(took, 300);
    EXPECT_LT(took, 300 + 1000 + 2000) << "retried past the wait";
    EXPECT_TRUE(client_logger_->contains("trying again"));
}

TEST_F(ClientPipelineTest, ConnectWaiting_DoesNotRetryAWrongHandshakeAnswer_SRS080) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto connecting = std::async(std::launch::async, [&client] { client.connect(1000ms, kPatience); });
    std::optional<RawSocket> server_end = listener.accept();
    ASSERT_TRUE(server_end);
    EXPECT_EQ(server_end->read_line(), "ping");
    server_end->send_all("nope\n");
    ASSERT_EQ(connecting.wait_for(kPatience), std::future_status::ready);
    std::error_code code;
    try {
        connecting.get();
    } catch (const Error& error) {
        code = error.code();
    }
    EXPECT_EQ(code, make_error_code(Errc::handshake_failed));
    EXPECT_FALSE(listener.accept(200ms)) << "a wrong server was tried again";
}

TEST_F(ClientPipelineTest, ConnectWaiting_ZeroWaitTriesOnce_SRS080) {
    Client client(client_config(unused_port()));
    EXPECT_THROW(client.connect(1000ms, 0ms), Error);
    EXPECT_FALSE(client_logger_->contains("trying again"));
}

// ---- pipelined batches ----

TEST_F(ClientPipelineTest, SendBatch_SendsEveryCommandInOrderAndBuffersTheAnswers_SRS081) {
    start_answering(1);
    Client client(client_config(server_->port()));
    client.connect();
    const std::vector<std::string> commands = numbered(20'000);
    EXPECT_EQ(client.send_batch(commands), commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const std::optional<std::string> got = client.recv(kPatience);
        ASSERT_TRUE(got) << "answer " << i;
        ASSERT_EQ(*got, commands[i] + ":0");
    }
    EXPECT_FALSE(client.recv(50ms)) << "an answer too many";
    EXPECT_TRUE(client.disconnect());
}

TEST_F(ClientPipelineTest, SendBatch_NeverDeadlocksAServerApplyingBackpressure_SRS081) {
    // 16,000 commands of 1 KiB answered with 2 KiB each: 16 MB of commands and 32 MB of answers,
    // far past the server's 1 MiB of unwritten responses (above which it stops reading) and the
    // socket buffers. A batch that only wrote would stall both sides; the short send timeout makes
    // such a stall a failure.
    start_answering(2, 1024);
    ClientConfig config = client_config(server_->port());
    config.send_timeout = 2000ms;
    Client client(std::move(config));
    client.connect();
    std::size_t early_returns = 0;
    pipeline_and_check(client, numbered(16'000, 1024), 2, 1024, early_returns);
    EXPECT_TRUE(client.disconnect());
}

TEST_F(ClientPipelineTest, SendBatch_StopsAtTheBufferLimitAndGoesOnWithTheRest_SRS081) {
    start_answering(1, 4096);
    ClientConfig config = client_config(server_->port());
    config.max_buffered_responses = 64 * 1024;
    config.send_timeout = 2000ms;
    Client client(std::move(config));
    client.connect();
    std::size_t early_returns = 0;
    // 16 MB of commands and of answers against a 64 KiB buffer: past the socket buffers, the batch
    // must read answers to go on, and hand back control each time the buffer is full.
    pipeline_and_check(client, numbered(4'000, 4096), 1, 4096, early_returns);
    EXPECT_GT(early_returns, 0U);
    EXPECT_TRUE(client.disconnect());
}

TEST_F(ClientPipelineTest, SendBatch_ReturnsWhatWasWrittenWhenTheServerCloses_SRS081) {
    RawListener listener;
    Client client(client_config(listener.port()));
    auto connecting = std::async(std::launch::async, [&client] { client.connect(); });
    std::optional<RawSocket> server_end = listener.accept();
    ASSERT_TRUE(server_end);
    EXPECT_EQ(server_end->read_line(), "ping");
    server_end->send_all("pong\n");
    connecting.get();
    server_end.reset();                                                  // gone before the batch: its writes fail
    const std::vector<std::string> commands = numbered(200, 64 * 1024);  // 12.8 MB: more than any socket buffer
    const std::size_t sent = client.send_batch(commands);
    EXPECT_LT(sent, commands.size());
    EXPECT_FALSE(client.connected());
}

TEST_F(ClientPipelineTest, SendBatch_TakesABracedListOfStringLiterals_SRS081) {
    // Without its own overload, a braced list of literals is ambiguous between the vector
    // overloads, and this file does not compile.
    start_answering(1);
    Client client(client_config(server_->port()));
    client.connect();
    EXPECT_EQ(client.send_batch({"cmd01", "junk"}), 2U);
    EXPECT_EQ(client.recv(kPatience), std::optional<std::string>("cmd01:0"));
    EXPECT_EQ(client.recv(kPatience), std::optional<std::string>("junk:0"));
    EXPECT_TRUE(client.disconnect());
}

TEST_F(ClientPipelineTest, SendBatch_ThrowsWhenNotConnected_SRS081) {
    Client client(client_config(1));
    std::error_code code;
    try {
        client.send_batch(std::vector<std::string>{"a"});
    } catch (const Error& error) {
        code = error.code();
    }
    EXPECT_EQ(code, make_error_code(Errc::not_connected));
}

TEST_F(ClientPipelineTest, SendBatch_OfNothingReturnsZero_SRS081) {
    start_answering(1);
    Client client(client_config(server_->port()));
    client.connect();
    EXPECT_EQ(client.send_batch(std::vector<std::string>{}), 0U);
    EXPECT_TRUE(client.connected());
}

TEST_F(ClientPipelineTest, NativeHandle_IsTheSocketWhileConnected_SRS081) {
    start_answering(1);
    Client client(client_config(server_->port()));
    EXPECT_EQ(client.native_handle(), -1);
    client.connect();
    EXPECT_GE(client.native_handle(), 0);
    EXPECT_TRUE(client.disconnect());
    EXPECT_EQ(client.native_handle(), -1);
}

}  // namespace
}  // namespace oneline::test
