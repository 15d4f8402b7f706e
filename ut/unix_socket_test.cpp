// Unix domain sockets ("unix:PATH"): the socket file the server creates (its mode, stale and live
// files, paths that are not sockets or are too long, its removal), the protocol over it, peer
// credentials in the log, and the client. Real sockets in a directory each test makes and removes.
#include "support/server_fixture.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"

#include "net/socket.hpp"
#include "net/unix_socket.hpp"

#include <oneline/client.hpp>
#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace oneline::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

sockaddr_un socket_address(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), std::min(path.size(), sizeof address.sun_path - 1));
    return address;
}

/// A raw connection to the socket file `path`; invalid (see RawSocket::error()) when refused.
RawSocket connect_raw(const std::string& path) {
    const sockaddr_un address = socket_address(path);
    return RawSocket::connect_to(reinterpret_cast<const sockaddr&>(address), sizeof address,
                                 RawSocket::kDefaultTimeout);
}

/// The permission bits of `path`, or -1 when it cannot be read.
int file_mode(const std::string& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 07777) : -1;
}

bool is_socket_file(const std::string& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

/// Leaves a stale socket file at `path`: bound, then closed without removing the file.
void make_stale_socket(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    const sockaddr_un address = socket_address(path);
    const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    ::close(fd);
    ASSERT_EQ(bound, 0) << std::strerror(errno);
    ASSERT_TRUE(is_socket_file(path));
}

/// A server fixture whose servers listen on a socket file in a private directory made for the
/// test and removed after it, whatever failed.
class UnixSocketTest : public ServerTest {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "oneline-ut-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
        directory_ = pattern;
        path_ = directory_ + "/server.sock";
    }

    void TearDown() override {
        ServerTest::TearDown();
        others_.clear();
        std::error_code ignored;
        fs::remove_all(directory_, ignored);
    }

    /// Starts the fixture's server on unix:`path_`; `adjust` may change the config further.
    Server& start_unix_server(const std::function<void(ServerConfig&)>& adjust = {}, Handler handler = {}) {
        return start_server(
            [&](ServerConfig& config) {
                config.address = "unix:" + path_;
                config.port.reset();
                if (adjust) {
                    adjust(config);
                }
            },
            std::move(handler));
    }

    /// Another server on unix:`path`, stopped and destroyed before the directory is removed.
    Server& another_server(const std::string& path) {
        ServerConfig config;
        config.address = "unix:" + path;
        config.callback = [](std::string_view, bool) {};
        others_.push_back(std::make_unique<Server>(std::move(config)));
        return *others_.back();
    }

    /// A raw connection the server serves: confirmed by `ping` -> `pong`.
    RawSocket connect_unix_client() {
        RawSocket socket = connect_raw(path_);
        EXPECT_TRUE(socket.valid()) << "connect failed: " << std::strerror(socket.error());
        EXPECT_EQ(ask(socket, "ping"), "pong") << "the server does not serve this client";
        return socket;
    }

    ClientConfig client_config() const {
        ClientConfig config;
        config.address = "unix:" + path_;
        return config;
    }

    /// The names in the test's directory, to see that nothing else was left there.
    std::vector<std::string> directory_entries() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(directory_)) {
            names.push_back(entry.path().filename().string());
        }
        return names;
    }

    std::string directory_;
    std::string path_;
    std::vector<std::unique_ptr<Server>> others_;
};

// ---- the protocol over a Unix domain socket (SRS-060) ----

TEST_F(UnixSocketTest, Server_ServesCommandsAndBuiltIns_OverUnixSocket_SRS060) {
    start_unix_server({}, [this](std::string_view command, bool) { server_->send("echo " + std::string(command)); });
    EXPECT_EQ(server_->port(), 0) << "a socket file has no port";
    EXPECT_TRUE(logger_->contains("listening on unix:" + path_)) << logger_->text();
    RawSocket client = connect_unix_client();
    EXPECT_EQ(ask(client, "hello"), "echo hello");
    ASSERT_TRUE(client.send_all("disconnect\n"));
    EXPECT_TRUE(client.wait_closed());
    RawSocket next = connect_unix_client();
    ASSERT_TRUE(next.send_all("shutdown\n"));
    EXPECT_TRUE(next.wait_closed());
    EXPECT_TRUE(server_->wait_until_stopped(kPatience));
    ASSERT_EQ(log_.commands().size(), 1U);
    EXPECT_EQ(log_.commands()[0].text, "hello");
}

TEST_F(UnixSocketTest, Server_NeedsNoPort_ForUnixAddress_SRS060) {
    ServerConfig config;
    config.address = "unix:" + path_;
    config.callback = [](std::string_view, bool) {};
    EXPECT_TRUE(config.missing_parameters().empty());
    config.address = "127.0.0.1";
    EXPECT_EQ(config.missing_parameters(), std::vector<std::string>{"port"}) << "a TCP address still needs one";
}

TEST_F(UnixSocketTest, Server_ClosesSecondUnixClientAtOnce_SRS060) {
    start_unix_server();
    RawSocket first = connect_unix_client();
    RawSocket second = connect_raw(path_);
    ASSERT_TRUE(second.valid());
    EXPECT_TRUE(second.wait_closed()) << "a second client is closed at once";
    EXPECT_EQ(ask(first, "ping"), "pong") << "the first client is still served";
}

TEST_F(UnixSocketTest, Server_DropsIdleUnixClient_SRS060) {
    start_unix_server([](ServerConfig& config) { config.idle_timeout = 200ms; });
    RawSocket client = connect_unix_client();
    EXPECT_TRUE(client.wait_closed()) << "the idle timeout holds over a Unix domain socket";
}

TEST_F(UnixSocketTest, Server_DeliversLargePipelinedResponses_OverUnixSocket_SRS060) {
    // More response bytes than the socket buffers and the pause threshold hold: the server must
    // slow this client down (stop reading), not drop it.
    const std::string big(64 * 1024, 'r');
    start_unix_server({}, [&](std::string_view, bool) { server_->send(big); });
    RawSocket client = connect_unix_client();
    constexpr int kCommands = 100;
    std::string commands;
    for (int i = 0; i < kCommands; ++i) {
        commands += "give\n";
    }
    ASSERT_TRUE(client.send_all(commands, 20s) == Io::ok);
    for (int i = 0; i < kCommands; ++i) {
        const std::optional<std::string> line = client.read_line(kPatience);
        ASSERT_TRUE(line) << "response " << i << " missing";
        ASSERT_EQ(line->size(), big.size());
    }
    EXPECT_EQ(ask(client, "ping"), "pong");
}

// ---- the socket file's mode (SRS-061) ----

TEST_F(UnixSocketTest, Server_CreatesSocketFile_ReadableAndWritableByOwnerOnly_SRS061) {
    const mode_t previous = ::umask(0);  // the widest umask: the mode must not come from it
    start_unix_server();
    ::umask(previous);
    EXPECT_TRUE(is_socket_file(path_));
    EXPECT_EQ(file_mode(path_), 0600);
}

TEST_F(UnixSocketTest, Server_GivesSocketFileTheConfiguredMode_SRS061) {
    const mode_t previous = ::umask(0077);  // the narrowest sensible umask: the mode must not come from it either
    start_unix_server([](ServerConfig& config) { config.unix_mode = 0666; });
    ::umask(previous);
    EXPECT_EQ(file_mode(path_), 0666);
}

TEST_F(UnixSocketTest, Server_LeavesNothingButTheSocketFile_InItsDirectory_SRS061) {
    start_unix_server();
    EXPECT_EQ(directory_entries(), std::vector<std::string>{"server.sock"})
        << "the temporary name and its private directory are removed";
}

TEST_F(UnixSocketTest, Server_RejectsModeBeyondPermissionBits_SRS061) {
    ServerConfig config = default_config();
    config.address = "unix:" + path_;
    config.unix_mode = 04755;
    Server server(std::move(config));
    try {
        server.start();
        FAIL() << "a set-user-id mode was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::invalid_argument) << error.what();
    }
    EXPECT_FALSE(fs::exists(path_));
}

// ---- stale, live and foreign files (SRS-062, SRS-063) ----

TEST_F(UnixSocketTest, Server_ReplacesStaleSocketFile_SRS062) {
    make_stale_socket(path_);
    ASSERT_FALSE(connect_raw(path_).valid()) << "nothing listens on the stale file";
    start_unix_server();
    RawSocket client = connect_unix_client();
    EXPECT_EQ(ask(client, "ping"), "pong");
    EXPECT_EQ(file_mode(path_), 0600) << "the replacement has the server's own mode";
}

TEST_F(UnixSocketTest, Server_FailsInUse_WhenAServerListensOnThePath_SRS062) {
    start_unix_server();
    Server& second = another_server(path_);
    try {
        second.start();
        FAIL() << "a second server took a live socket file";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::address_in_use);
        EXPECT_NE(std::string(error.what()).find("in use"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find(path_), std::string::npos) << error.what();
    }
    RawSocket client = connect_unix_client();  // the first server still serves on its file
    EXPECT_EQ(ask(client, "ping"), "pong");
}

TEST_F(UnixSocketTest, Server_RefusesPathThatIsNotASocket_AndLeavesItAlone_SRS063) {
    std::ofstream(path_) << "precious data\n";
    ServerConfig config = default_config();
    config.address = "unix:" + path_;
    Server server(std::move(config));
    try {
        server.start();
        FAIL() << "a regular file was taken";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::file_exists);
        EXPECT_NE(std::string(error.what()).find("not a socket"), std::string::npos) << error.what();
    }
    std::ifstream kept(path_);
    std::string content;
    std::getline(kept, content);
    EXPECT_EQ(content, "precious data");
    EXPECT_EQ(directory_entries(), std::vector<std::string>{"server.sock"}) << "nothing made is left behind";
}

TEST_F(UnixSocketTest, Server_RefusesDirectoryAtThePath_SRS063) {
    fs::create_directory(path_);
    ServerConfig config = default_config();
    config.address = "unix:" + path_;
    Server server(std::move(config));
    EXPECT_THROW(server.start(), Error);
    EXPECT_TRUE(fs::is_directory(path_));
}

TEST_F(UnixSocketTest, Server_RejectsPathTooLongForASocketAddress_SRS063) {
    const std::string long_path = directory_ + "/" + std::string(sizeof(sockaddr_un{}.sun_path), 'x');
    ServerConfig config = default_config();
    config.address = "unix:" + long_path;
    Server server(std::move(config));
    try {
        server.start();
        FAIL() << "a path longer than a socket address holds was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::filename_too_long);
        EXPECT_NE(std::string(error.what()).find("too long"), std::string::npos) << error.what();
    }
}

TEST_F(UnixSocketTest, Server_RejectsEmptyPath_SRS063) {
    ServerConfig config = default_config();
    config.address = "unix:";
    Server server(std::move(config));
    try {
        server.start();
        FAIL() << "an empty path was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::invalid_argument) << error.what();
    }
}

// ---- removal of the file (SRS-064) ----

TEST_F(UnixSocketTest, Server_RemovesSocketFile_OnStop_SRS064) {
    start_unix_server();
    ASSERT_TRUE(is_socket_file(path_));
    server_->stop();
    EXPECT_FALSE(fs::exists(fs::symlink_status(path_)));
}

TEST_F(UnixSocketTest, Server_RemovesSocketFile_OnShutdown_SRS064) {
    start_unix_server();
    RawSocket client = connect_unix_client();
    ASSERT_TRUE(client.send_all("shutdown\n"));
    EXPECT_TRUE(client.wait_closed());
    EXPECT_TRUE(server_->wait_until_stopped(kPatience));
    EXPECT_FALSE(fs::exists(fs::symlink_status(path_))) << "removed before the server is seen stopped";
}

TEST_F(UnixSocketTest, Server_RemovesSocketFile_WhenDestroyed_SRS064) {
    start_unix_server();
    server_.reset();
    EXPECT_FALSE(fs::exists(fs::symlink_status(path_)));
}

TEST_F(UnixSocketTest, Server_RemovesSocketFile_WhenStoppedListeningOnly_AndListensAgain_SRS064) {
    ServerConfig config = default_config();
    config.address = "unix:" + path_;
    server_ = std::make_unique<Server>(std::move(config));
    server_->listen();
    EXPECT_TRUE(is_socket_file(path_));
    server_->stop();
    EXPECT_FALSE(fs::exists(fs::symlink_status(path_)));
    server_->start();  // a stopped server starts again on the same path
    RawSocket client = connect_unix_client();
    EXPECT_EQ(ask(client, "ping"), "pong");
}

TEST_F(UnixSocketTest, Server_LeavesAnotherServersFile_WhenItsOwnWasReplaced_SRS064) {
    start_unix_server();
    ASSERT_EQ(::unlink(path_.c_str()), 0);  // someone removed our file...
    Server& newcomer = another_server(path_);
    newcomer.start();  // ...and another server took the path
    server_->stop();
    EXPECT_TRUE(is_socket_file(path_)) << "the other server's file was removed";
    RawSocket client = connect_raw(path_);
    ASSERT_TRUE(client.valid());
    EXPECT_EQ(ask(client, "ping"), "pong") << "the other server is still reachable";
}

// ---- peer credentials (SRS-065) ----

TEST_F(UnixSocketTest, Server_LogsPeerUserId_OnConnect_SRS065) {
    start_unix_server();
    RawSocket client = connect_unix_client();
    const std::string expected = "client connected from local uid " + std::to_string(::getuid());
    EXPECT_TRUE(logger_->wait_for(expected, kPatience)) << logger_->text();
}

TEST_F(UnixSocketTest, UnixSocket_IsToldApartFromTcp_SoTcpOptionsAreNotApplied_SRS060) {
    start_unix_server();
    RawSocket unix_client = connect_raw(path_);
    ASSERT_TRUE(unix_client.valid());
    EXPECT_TRUE(net::is_unix_socket(unix_client.fd()));
    Server tcp_server([] {
        ServerConfig config;
        config.address = "127.0.0.1";
        config.port = 0;
        config.callback = [](std::string_view, bool) {};
        return config;
    }());
    tcp_server.start();
    RawSocket tcp_client = RawSocket::connect(tcp_server.port());
    EXPECT_FALSE(net::is_unix_socket(tcp_client.fd()));
    tcp_server.stop();
}

// ---- the client (SRS-066) ----

TEST_F(UnixSocketTest, Client_ConnectsSendsAndReceives_OverUnixSocket_SRS066) {
    start_unix_server({}, [this](std::string_view command, bool) { server_->send("got " + std::string(command)); });
    Client client(client_config());
    EXPECT_TRUE(client_config().missing_parameters().empty()) << "no port needed";
    client.connect();
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send("one"));
    EXPECT_EQ(client.recv(kPatience), "got one");
    EXPECT_TRUE(client.shutdown());
    EXPECT_TRUE(server_->wait_until_stopped(kPatience));
}

TEST_F(UnixSocketTest, Client_FailsNamingThePath_WhenNoFileIsThere_SRS066) {
    Client client(client_config());
    try {
        client.connect(1s);
        FAIL() << "connected to nothing";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory) << error.what();
        EXPECT_NE(std::string(error.what()).find("unix:" + path_), std::string::npos) << error.what();
    }
}

TEST_F(UnixSocketTest, Client_FailsPromptly_WhenRefusedByStaleFile_SRS066) {
    make_stale_socket(path_);
    Client client(client_config());
    const auto began = std::chrono::steady_clock::now();
    try {
        client.connect(10s);
        FAIL() << "connected to a stale file";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::connection_refused) << error.what();
        EXPECT_NE(std::string(error.what()).find("unix:" + path_), std::string::npos) << error.what();
    }
    EXPECT_LT(elapsed_ms(began), 5000) << "refused at once, not after the timeout";
}

TEST_F(UnixSocketTest, Client_FailsServerBusy_WhenAnotherClientIsServed_SRS066) {
    start_unix_server();
    RawSocket first = connect_unix_client();
    Client client(client_config());
    try {
        client.connect(kPatience);
        FAIL() << "connected while another client is served";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), make_error_code(Errc::server_busy)) << error.what();
    }
}

}  // namespace
}  // namespace oneline::test
