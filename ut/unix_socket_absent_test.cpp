// Where the system offers no Unix domain sockets (the Windows build), a "unix:PATH" address fails
// with a clear reason, on the server and on the client, and creates nothing.
#include <oneline/client.hpp>
#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <string>

namespace oneline::test {
namespace {

constexpr const char* kNotSupported = "Unix domain sockets are not supported on this system";

TEST(UnixSocketAbsentTest, Server_FailsToStart_SayingUnixSocketsAreNotSupported_SRS060) {
    ServerConfig config;
    config.address = "unix:oneline-absent.sock";
    config.callback = [](std::string_view, bool) {};
    Server server(std::move(config));
    try {
        server.start();
        FAIL() << "a Unix domain socket server started";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::function_not_supported) << error.what();
        EXPECT_NE(std::string(error.what()).find(kNotSupported), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("unix:oneline-absent.sock"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(server.running());
}

TEST(UnixSocketAbsentTest, Client_FailsToConnect_SayingUnixSocketsAreNotSupported_SRS060) {
    ClientConfig config;
    config.address = "unix:oneline-absent.sock";
    Client client(std::move(config));
    try {
        client.connect();
        FAIL() << "connected over a Unix domain socket";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), std::errc::function_not_supported) << error.what();
        EXPECT_NE(std::string(error.what()).find(kNotSupported), std::string::npos) << error.what();
    }
    EXPECT_FALSE(client.connected());
}

}  // namespace
}  // namespace oneline::test
