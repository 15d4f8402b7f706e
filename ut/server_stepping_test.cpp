// oneline::Server driven one step at a time from a host's loop: serve_once, the wait descriptor,
// the reply callback, and request_stop from a real signal. Real loopback sockets, port 0.
#include "support/server_fixture.hpp"
#include "support/stepping_host.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#ifndef _WIN32
#include <poll.h>
#include <pthread.h>
#endif

namespace oneline::test {
namespace {

using namespace std::chrono_literals;
using Wait = SteppingHost::Wait;

/// True where the platform has a wait descriptor (Linux: epoll; macOS, BSDs: kqueue); elsewhere
/// asking for one must fail with function_not_supported.
bool has_wait_descriptor() {
    ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.callback = [](std::string_view, bool) {};
    Server server(config);
    try {
        server.wait_descriptor();
        return true;
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::function_not_supported) << error.what();
        return false;
    }
}

/// The wait kinds this platform has: the descriptor only where there is one.
std::vector<Wait> wait_kinds() {
    if (has_wait_descriptor()) {
        return {Wait::serve_once_timeout, Wait::descriptor};
    }
    return {Wait::serve_once_timeout};
}

std::string name_of(const testing::TestParamInfo<Wait>& info) {
    return info.param == Wait::descriptor ? "Descriptor" : "ServeOnceTimeout";
}

/// A server made, not started: a SteppingHost drives it.
class SteppingTest : public ServerTest, public testing::WithParamInterface<Wait> {
protected:
    Server& make_server(const std::function<void(ServerConfig&)>& adjust = {}, Handler handler = {}) {
        handler_ = std::move(handler);
        ServerConfig config = default_config();
        if (adjust) {
            adjust(config);
        }
        server_ = std::make_unique<Server>(std::move(config));
        return *server_;
    }

    /// Makes the server and a host loop that drives it; returns once it serves.
    SteppingHost& host_server(const std::function<void(ServerConfig&)>& adjust = {}, Handler handler = {}) {
        make_server(adjust, std::move(handler));
        host_ = std::make_unique<SteppingHost>(*server_, GetParam());
        EXPECT_TRUE(host_->wait_until_serving());
        return *host_;
    }

    void TearDown() override {
        host_.reset();  // stops the server and joins the host's thread
        ServerTest::TearDown();
    }

    /// Every piece of work woke the host (descriptor mode), and no step threw.
    void expect_host_healthy() const {
        EXPECT_EQ(host_->missed_wakes(), 0) << "the descriptor stayed unreadable while there was work";
    }

    std::unique_ptr<SteppingHost> host_;
};

INSTANTIATE_TEST_SUITE_P(Server, SteppingTest, testing::ValuesIn(wait_kinds()), name_of);

// ---- serve_once: begins, steps, never blocks with a zero timeout (SRS-070) ----

TEST_F(ServerTest, ServeOnce_BeginsServingOnFirstCall_AndReturnsWithoutBlocking_SRS070) {
    RecordProperty("srs", "SRS-070");
    ServerConfig config = default_config();
    Server server(config);
    EXPECT_FALSE(server.running());
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::serving);
    EXPECT_TRUE(server.running());
    EXPECT_NE(server.port(), 0);
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    }
    EXPECT_LT(elapsed_ms(begin), kPatience.count()) << "a zero timeout must never block";

    // A client that connects is served by the following steps, all in this thread.
    RawSocket client = RawSocket::connect(server.port());
    ASSERT_TRUE(client.send_all("ping\n"));
    std::string line;
    Io got = Io::timed_out;
    for (int i = 0; i < 1000 && got == Io::timed_out; ++i) {
        server.serve_once(5ms);
        got = client.read_line(line, 1ms);
    }
    EXPECT_EQ(got, Io::ok);
    EXPECT_EQ(line, "pong");
    server.stop();
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::stopped) << "the stop is reported by the next step";
    EXPECT_FALSE(server.running());
}

TEST_F(ServerTest, ServeOnce_WaitsAtMostItsTimeout_SRS070) {
    RecordProperty("srs", "SRS-070");
    Server server(default_config());
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_EQ(server.serve_once(100ms), ServeStatus::serving);
    const auto took = elapsed_ms(begin);
    EXPECT_GE(took, 99) << "with nothing to do it waits for work";
    EXPECT_LT(took, kPatience.count());
}

// ---- the protocol, step by step (SRS-071) ----

TEST_P(SteppingTest, ServeOnce_AnswersPingAndPassesCommands_SRS071) {
    RecordProperty("srs", "SRS-071");
    host_server({}, [this](std::string_view command, bool) { server_->send("ack " + std::string(command)); });
    RawSocket client = connect_client();
    EXPECT_EQ(ask(client, "one"), "ack one");
    ASSERT_TRUE(client.send_all("two\nthree\n"));
    EXPECT_EQ(client.read_line(), "ack two");
    EXPECT_EQ(client.read_line(), "ack three");
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_ClosesSecondClientAtOnce_SRS071) {
    RecordProperty("srs", "SRS-071");
    host_server();
    RawSocket first = connect_client();
    RawSocket second = RawSocket::connect(server_->port());
    EXPECT_TRUE(second.wait_closed(kPatience));
    EXPECT_EQ(ask(first, "ping"), "pong");
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_ServesNextClient_AfterDisconnect_SRS071) {
    RecordProperty("srs", "SRS-071");
    host_server();
    RawSocket first = connect_client();
    ASSERT_TRUE(first.send_all("disconnect\n"));
    EXPECT_TRUE(first.wait_closed());
    RawSocket second = connect_client();
    EXPECT_TRUE(server_->running());
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_AnswersClientThatHalfCloses_SRS071) {
    RecordProperty("srs", "SRS-071");
    host_server({}, [this](std::string_view command, bool) { server_->send("ack " + std::string(command)); });
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("a\nb\n"));
    client.shutdown_write();
    EXPECT_EQ(client.read_line(), "ack a");
    EXPECT_EQ(client.read_line(), "ack b");
    EXPECT_TRUE(client.wait_closed());
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_DropsIdleClient_WhenTheIdleTimeoutPasses_SRS071) {
    RecordProperty("srs", "SRS-071");
    // In descriptor mode the host waits on the descriptor alone: only the deadline can wake it.
    host_server([](ServerConfig& config) { config.idle_timeout = 200ms; });
    RawSocket client = connect_client();
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.wait_closed(kPatience));
    EXPECT_GE(elapsed_ms(begin), 150);
    EXPECT_TRUE(logger_->wait_for("sent nothing for 200 ms", kPatience)) << logger_->text();
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_RunsCommandsHeldBackByBackpressure_WithoutFurtherInput_SRS071) {
    RecordProperty("srs", "SRS-071");
    const std::string response(64 * 1024, 'b');
    host_server({}, [this, &response](std::string_view, bool) { server_->send(response); });
    RawSocket client = connect_client();
    constexpr std::size_t kCommands = 300;  // about 19 MiB of answers to one read of 600 bytes
    std::string burst;
    for (std::size_t i = 0; i < kCommands; ++i) {
        burst += "x\n";
    }
    ASSERT_TRUE(client.send_all(burst));
    std::size_t lines = 0;
    std::string chunk;
    while (lines < kCommands) {
        chunk.clear();
        if (client.read_some(chunk, kPatience) != Io::ok) {
            break;
        }
        lines += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
    }
    EXPECT_EQ(lines, kCommands) << logger_->text();
    EXPECT_EQ(log_.commands().size(), kCommands);
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_WritesWhatAnotherThreadSends_SRS071) {
    RecordProperty("srs", "SRS-071");
    host_server();
    RawSocket client = connect_client();
    ASSERT_TRUE(server_->send("from another thread"));
    EXPECT_EQ(client.read_line(), "from another thread");
    expect_host_healthy();
}

// ---- how a run ends (SRS-072) ----

TEST_P(SteppingTest, ServeOnce_ReportsShutdown_AndClosesTheListener_SRS072) {
    RecordProperty("srs", "SRS-072");
    SteppingHost& host = host_server();
    const auto port = server_->port();
    RawSocket client = connect_client();
    ASSERT_TRUE(client.send_all("shutdown\n"));
    EXPECT_TRUE(client.wait_closed());
    EXPECT_TRUE(host.wait_until_reported_stopped());
    EXPECT_FALSE(server_->running());
    EXPECT_THROW(RawSocket::connect(port), std::runtime_error) << "the listener must be closed";
    expect_host_healthy();
}

TEST_P(SteppingTest, ServeOnce_ReportsStopFromAnotherThread_Promptly_SRS072) {
    RecordProperty("srs", "SRS-072");
    SteppingHost& host = host_server();
    RawSocket client = connect_client();
    const auto begin = std::chrono::steady_clock::now();
    server_->stop();
    EXPECT_LT(elapsed_ms(begin), 2000) << "stop() must not wait for the host's next step";
    EXPECT_FALSE(server_->running());
    EXPECT_TRUE(client.wait_closed());
    EXPECT_TRUE(host.wait_until_reported_stopped());
    expect_host_healthy();
}

TEST_F(ServerTest, ServeOnce_BeginsANewRun_AfterReportingTheStop_SRS072) {
    RecordProperty("srs", "SRS-072");
    Server server(default_config());
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    server.stop();
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::stopped);
    EXPECT_FALSE(server.running());
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::serving) << "a new run";
    EXPECT_TRUE(server.running());
    EXPECT_NE(server.port(), 0);
}

// ---- one mode at a time (SRS-073) ----

TEST_F(ServerTest, ServeOnce_RefusesWhileStartServes_AndStartRefusesWhileStepping_SRS073) {
    RecordProperty("srs", "SRS-073");
    Server& server = start_server();
    try {
        server.serve_once(0ms);
        ADD_FAILURE() << "serve_once ran beside start()";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::operation_in_progress);
    }
    server.stop();

    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    try {
        server.start();
        ADD_FAILURE() << "start() ran beside serve_once";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::operation_in_progress);
    }
    EXPECT_THROW(server.serve_forever(), Error);
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::serving) << "the stepping run goes on";
}

TEST_P(SteppingTest, ServeOnce_RefusesToBeCalledFromTheCallback_SRS073) {
    RecordProperty("srs", "SRS-073");
    std::atomic<bool> refused{false};
    host_server({}, [this, &refused](std::string_view, bool) {
        try {
            server_->serve_once(0ms);
        } catch (const Error& error) {
            refused = error.code() == std::errc::operation_in_progress;
        }
        server_->send("done");
    });
    RawSocket client = connect_client();
    EXPECT_EQ(ask(client, "reenter"), "done");
    EXPECT_TRUE(refused);
}

// ---- the wait descriptor (SRS-074) ----

#ifndef _WIN32
bool readable_now(int fd) {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, 0) > 0;
}

TEST_F(ServerTest, WaitDescriptor_IsReadableBeforeTheFirstStep_AndQuietWithoutWork_SRS074) {
    RecordProperty("srs", "SRS-074");
    if (!has_wait_descriptor()) {
        GTEST_SKIP() << "no wait descriptor on this platform (the portable POSIX backend without kqueue)";
    }
    Server server(default_config());
    const int fd = server.wait_descriptor();
    EXPECT_TRUE(readable_now(fd)) << "the first serve_once has work: it begins the run";
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    EXPECT_FALSE(readable_now(fd)) << "nothing to do: a host waiting on it must sleep";
    EXPECT_EQ(server.wait_descriptor(), fd) << "one descriptor for the server's life";

    RawSocket client = RawSocket::connect(server.port());
    EXPECT_TRUE(wait_until([&] { return readable_now(fd); })) << "a newcomer wakes it";
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    EXPECT_TRUE(server.client_connected());
    EXPECT_FALSE(readable_now(fd));

    ASSERT_TRUE(client.send_all("ping\n"));
    EXPECT_TRUE(wait_until([&] { return readable_now(fd); })) << "a command wakes it";
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    EXPECT_EQ(client.read_line(), "pong");
    EXPECT_FALSE(readable_now(fd));

    std::thread([&] { server.send("late"); }).join();
    EXPECT_TRUE(readable_now(fd)) << "send() from another thread wakes it";
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    EXPECT_EQ(client.read_line(), "late");
    EXPECT_FALSE(readable_now(fd));

    std::thread([&] { server.stop(); }).join();
    EXPECT_TRUE(readable_now(fd)) << "a stop from another thread wakes it";
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::stopped);
    EXPECT_FALSE(readable_now(fd)) << "after the stop is reported it is quiet";
}
#endif

TEST_F(ServerTest, WaitDescriptor_IsThereOnLinux_AndAbsentOnWindows_SRS074) {
    RecordProperty("srs", "SRS-074");
#if defined(ONELINE_BACKEND_linux)
    EXPECT_TRUE(has_wait_descriptor()) << "Linux has epoll";
#elif defined(ONELINE_BACKEND_windows)
    EXPECT_FALSE(has_wait_descriptor()) << "Windows has no such descriptor";
#else
    GTEST_SKIP() << "the portable POSIX backend has one only where kqueue is";
#endif
}

// ---- answering through the Reply handed to the callback (SRS-075) ----

TEST_P(SteppingTest, ReplyCallback_AnswersThroughItsReply_SRS075) {
    RecordProperty("srs", "SRS-075");
    make_server([](ServerConfig& config) {
        config.callback = nullptr;
        config.reply_callback = [](std::string_view command, bool is_invalid, Reply& reply) {
            reply.send(is_invalid ? "nak" : "ack " + std::string(command));
            reply.send("second");
        };
    });
    host_ = std::make_unique<SteppingHost>(*server_, GetParam());
    ASSERT_TRUE(host_->wait_until_serving());
    RawSocket client = connect_client();
    EXPECT_EQ(ask(client, "cmd01"), "ack cmd01");
    EXPECT_EQ(client.read_line(), "second");
    EXPECT_EQ(ask(client, "bad\xff"), "nak");
    EXPECT_EQ(client.read_line(), "second");
}

TEST_F(ServerTest, ReplyCallback_AnswersUnderStart_AndIsEnoughAsTheCallback_SRS075) {
    RecordProperty("srs", "SRS-075");
    start_server([](ServerConfig& config) {
        config.callback = nullptr;
        config.reply_callback = [](std::string_view command, bool, Reply& reply) { reply.send(command); };
        EXPECT_TRUE(config.missing_parameters().empty());
    });
    RawSocket client = connect_client();
    EXPECT_EQ(ask(client, "echo me"), "echo me");
}

TEST_F(ServerTest, ReplyCallback_BesideCallback_FailsToStart_SRS075) {
    RecordProperty("srs", "SRS-075");
    ServerConfig config = default_config();
    config.reply_callback = [](std::string_view, bool, Reply&) {};
    Server server(config);
    try {
        server.start();
        ADD_FAILURE() << "both callbacks set, yet it started";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::invalid_argument);
        EXPECT_NE(std::string(error.what()).find("reply_callback"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(server.running());
    EXPECT_THROW(server.serve_once(0ms), Error);
}

// ---- request_stop from a signal handler (SRS-076) ----

std::atomic<Server*> g_signalled_server{nullptr};

extern "C" void request_stop_on_signal(int) {
    if (Server* server = g_signalled_server.load()) {
        server->request_stop();
    }
}

/// Installs request_stop_on_signal for `signal_number` while it lives, for `server`.
class StopOnSignal {
public:
    StopOnSignal(int signal_number, Server& server) : signal_(signal_number) {
        g_signalled_server = &server;
        previous_ = std::signal(signal_, request_stop_on_signal);
    }
    ~StopOnSignal() {
        std::signal(signal_, previous_);
        g_signalled_server = nullptr;
    }
    StopOnSignal(const StopOnSignal&) = delete;
    StopOnSignal& operator=(const StopOnSignal&) = delete;

private:
    int signal_;
    void (*previous_)(int) = nullptr;
};

TEST_F(ServerTest, RequestStop_KeepsErrno_SRS076) {
    RecordProperty("srs", "SRS-076");
    Server server(default_config());
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    errno = EDOM;
    server.request_stop();
    EXPECT_EQ(errno, EDOM) << "a signal handler must leave errno as the interrupted code had it";
    EXPECT_EQ(server.serve_once(0ms), ServeStatus::stopped);
}

TEST_F(ServerTest, RequestStop_FromRaisedSignal_EndsServeOnceRun_SRS076) {
    RecordProperty("srs", "SRS-076");
    Server server(default_config());
    const StopOnSignal handler(SIGTERM, server);
    ASSERT_EQ(server.serve_once(0ms), ServeStatus::serving);
    RawSocket client = RawSocket::connect(server.port());
    ASSERT_EQ(std::raise(SIGTERM), 0);
    EXPECT_EQ(server.serve_once(kPatience), ServeStatus::stopped);
    EXPECT_FALSE(server.running());
    EXPECT_TRUE(client.wait_closed());
}

#ifndef _WIN32
/// Sends `signal_number` to `thread` until `done` holds (the first may come before it waits).
template <class Done>
bool signal_until(std::thread& thread, int signal_number, Done done) {
    return wait_until([&] {
        ::pthread_kill(thread.native_handle(), signal_number);
        return done();
    });
}

TEST_F(ServerTest, RequestStop_FromSignalHandler_EndsServeForever_SRS076) {
    RecordProperty("srs", "SRS-076");
    Server server(default_config());
    const StopOnSignal handler(SIGUSR1, server);
    std::atomic<bool> returned{false};
    std::thread serving([&] {
        server.serve_forever();
        returned = true;
    });
    ASSERT_TRUE(server.wait_until_running(kPatience));
    RawSocket client = RawSocket::connect(server.port());
    // The signal interrupts the wait in the serving thread itself, as a Ctrl-C would.
    EXPECT_TRUE(signal_until(serving, SIGUSR1, [&] { return returned.load(); }));
    serving.join();
    EXPECT_FALSE(server.running());
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, RequestStop_FromSignalHandler_EndsHostLoopWaitingOnTheDescriptor_SRS076) {
    RecordProperty("srs", "SRS-076");
    if (!has_wait_descriptor()) {
        GTEST_SKIP() << "no wait descriptor on this platform";
    }
    Server server(default_config());
    const StopOnSignal handler(SIGUSR1, server);
    std::atomic<bool> returned{false};
    std::thread host([&] {
        const int fd = server.wait_descriptor();
        for (;;) {
            pollfd entry{fd, POLLIN, 0};
            ::poll(&entry, 1, -1);  // no timeout: only the descriptor can wake it
            if (server.serve_once(0ms) == ServeStatus::stopped) {
                break;
            }
        }
        returned = true;
    });
    ASSERT_TRUE(server.wait_until_running(kPatience));
    EXPECT_TRUE(signal_until(host, SIGUSR1, [&] { return returned.load(); }));
    if (!returned) {
        server.stop();  // never leave the thread behind
    }
    host.join();
    EXPECT_FALSE(server.running());
}
#endif

}  // namespace
}  // namespace oneline::test
