// The wait set on its own: what it does with the number of a socket that was closed, and what its
// own wait (the server loop's) reports slot by slot.
#include "net/socket_io.hpp"
#include "net/wait_set.hpp"

#include <oneline/errors.hpp>

#include "test/support/raw_listener.hpp"
#include "test/support/raw_socket.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

namespace oneline::net {
namespace {

using oneline::test::RawListener;
using oneline::test::RawSocket;
using namespace std::chrono_literals;

bool turns_readable(const WaitSet& set) { return (wait_for(set.fd(), kReadable, deadline_after(2s)) & kReadable) != 0; }

/// Each test gets a wait set (skipped where the platform has none) and a listener to connect to.
class WaitSetTest : public ::testing::Test {
protected:
    /// Both ends of one connection through the listener.
    struct Connection {
        RawSocket client;
        RawSocket served;
    };

    void SetUp() override {
        try {
            set.emplace();
        } catch (const Error&) {
            GTEST_SKIP() << "no wait descriptor on this platform";  // Windows has no such descriptor
        }
    }

    /// A new connection, or none when the listener did not accept it.
    std::optional<Connection> connect() {
        RawSocket client = RawSocket::connect(listener.port());
        std::optional<RawSocket> served = listener.accept();
        if (!served) {
            return std::nullopt;
        }
        return Connection{std::move(client), std::move(*served)};
    }

    std::optional<WaitSet> set;
    RawListener listener;
};

// A slot whose socket was closed is given none; meanwhile the number went to another socket,
// watched in another slot. That socket must stay watched.
TEST_F(WaitSetTest, Watch_LeavesTheNumberOfAClosedSocketToTheSocketThatGotItNext_SRS074) {
    RecordProperty("srs", "SRS-074");
    std::optional<Connection> first = connect();
    ASSERT_TRUE(first);
    set->watch(0, first->client.fd(), kReadable, 1);
    const auto number = first->client.fd();
    first->client.close();

    std::optional<Connection> second = connect();  // the lowest free number: the one just closed
    ASSERT_TRUE(second);
    if (second->client.fd() != number) {
        GTEST_SKIP() << "the system gave the next socket another number";
    }
    ASSERT_TRUE(second->served.send_all("ready\n"));
    set->watch(1, second->client.fd(), kReadable, 2);
    ASSERT_TRUE(turns_readable(*set));

    set->watch(0, kNoSocket, 0, 0);
    EXPECT_TRUE(turns_readable(*set)) << "the second socket left the set with the first one's slot";
}

// The same socket, still open, that is watched for nothing leaves the set.
TEST_F(WaitSetTest, Watch_ForNothing_TakesAnOpenSocketOut_SRS074) {
    RecordProperty("srs", "SRS-074");
    std::optional<Connection> connection = connect();
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->served.send_all("ready\n"));
    const auto client = connection->client.fd();
    set->watch(0, client, kReadable, 1);
    ASSERT_TRUE(turns_readable(*set));
    set->watch(0, client, 0, 1);
    EXPECT_EQ(wait_for(set->fd(), kReadable, deadline_after(50ms)) & kReadable, 0);
    set->watch(0, client, kReadable, 1);
    EXPECT_TRUE(turns_readable(*set));
}

// What the server's own loop relies on: each slot gets its own socket's readiness, and nothing else.
TEST_F(WaitSetTest, Wait_ReportsEachSlotItsOwnSocketsReadiness) {
    std::optional<Connection> quiet = connect();
    std::optional<Connection> talking = connect();
    ASSERT_TRUE(quiet && talking);
    set->watch(0, quiet->client.fd(), kReadable, 1);
    set->watch(2, talking->client.fd(), kReadable | kWritable, 2);
    ASSERT_TRUE(talking->served.send_all("ready\n"));

    std::vector<short> ready;
    ASSERT_TRUE(turns_readable(*set));
    EXPECT_EQ(set->wait(deadline_after(2s), ready), 1);
    ASSERT_EQ(ready.size(), 3U) << "an entry per slot, the unused slot 1 too";
    EXPECT_EQ(ready[0], 0) << "the quiet socket has nothing to read";
    EXPECT_EQ(ready[1], 0);
    EXPECT_EQ(ready[2], kReadable | kWritable);

    set->watch(2, talking->client.fd(), kWritable, 2);
    EXPECT_EQ(set->wait(deadline_after(2s), ready), 1);
    EXPECT_EQ(ready[2], kWritable) << "only what the slot is watched for now";
}

// The deadline of set_deadline() is the host's (it makes fd() readable); the loop's wait has its own.
TEST_F(WaitSetTest, Wait_ReturnsNothingAtItsDeadline_WhateverTheSetsOwnDeadline) {
    std::optional<Connection> connection = connect();
    ASSERT_TRUE(connection);
    set->watch(0, connection->client.fd(), kReadable, 1);
    set->set_deadline(Clock::now());
    ASSERT_TRUE(turns_readable(*set)) << "the passed deadline makes the descriptor readable";

    std::vector<short> ready{kReadable};
    EXPECT_EQ(set->wait(deadline_after(20ms), ready), 0);
    ASSERT_EQ(ready.size(), 1U);
    EXPECT_EQ(ready[0], 0);
}

}  // namespace
}  // namespace oneline::net
