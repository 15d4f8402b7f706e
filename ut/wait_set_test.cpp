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
#include <vector>

namespace oneline::net {
namespace {

using oneline::test::RawListener;
using oneline::test::RawSocket;
using namespace std::chrono_literals;

std::optional<WaitSet> make_wait_set() {
    try {
        return std::optional<WaitSet>(std::in_place);
    } catch (const Error&) {
        return std::nullopt;  // Windows has no such descriptor
    }
}

bool turns_readable(const WaitSet& set) { return (wait_for(set.fd(), kReadable, deadline_after(2s)) & kReadable) != 0; }

// A slot whose socket was closed is given none; meanwhile the number went to another socket,
// watched in another slot. That socket must stay watched.
TEST(WaitSetTest, Watch_LeavesTheNumberOfAClosedSocketToTheSocketThatGotItNext_SRS074) {
    RecordProperty("srs", "SRS-074");
    std::optional<WaitSet> set = make_wait_set();
    if (!set) {
        GTEST_SKIP() << "no wait descriptor on this platform";
    }
    RawListener listener;
    RawSocket first = RawSocket::connect(listener.port());
    std::optional<RawSocket> first_served = listener.accept();
    ASSERT_TRUE(first_served);
    set->watch(0, first.fd(), kReadable, 1);
    const auto number = first.fd();
    first.close();

    RawSocket second = RawSocket::connect(listener.port());  // the lowest free number: the one just closed
    std::optional<RawSocket> second_served = listener.accept();
    ASSERT_TRUE(second_served);
    if (second.fd() != number) {
        GTEST_SKIP() << "the system gave the next socket another number";
    }
    ASSERT_TRUE(second_served->send_all("ready\n"));
    set->watch(1, second.fd(), kReadable, 2);
    ASSERT_TRUE(turns_readable(*set));

    set->watch(0, kNoSocket, 0, 0);
    EXPECT_TRUE(turns_readable(*set)) << "the second socket left the set with the first one's slot";
}

// The same socket, still open, that is watched for nothing leaves the set.
TEST(WaitSetTest, Watch_ForNothing_TakesAnOpenSocketOut_SRS074) {
    RecordProperty("srs", "SRS-074");
    std::optional<WaitSet> set = make_wait_set();
    if (!set) {
        GTEST_SKIP() << "no wait descriptor on this platform";
    }
    RawListener listener;
    RawSocket client = RawSocket::connect(listener.port());
    std::optional<RawSocket> served = listener.accept();
    ASSERT_TRUE(served);
    ASSERT_TRUE(served->send_all("ready\n"));
    set->watch(0, client.fd(), kReadable, 1);
    ASSERT_TRUE(turns_readable(*set));
    set->watch(0, client.fd(), 0, 1);
    EXPECT_EQ(wait_for(set->fd(), kReadable, deadline_after(50ms)) & kReadable, 0);
    set->watch(0, client.fd(), kReadable, 1);
    EXPECT_TRUE(turns_readable(*set));
}

// What the server's own loop relies on: each slot gets its own socket's readiness, and nothing else.
TEST(WaitSetTest, Wait_ReportsEachSlotItsOwnSocketsReadiness) {
    std::optional<WaitSet> set = make_wait_set();
    if (!set) {
        GTEST_SKIP() << "no wait descriptor on this platform";
    }
    RawListener listener;
    RawSocket quiet = RawSocket::connect(listener.port());
    std::optional<RawSocket> quiet_served = listener.accept();
    RawSocket talking = RawSocket::connect(listener.port());
    std::optional<RawSocket> talking_served = listener.accept();
    ASSERT_TRUE(quiet_served && talking_served);
    set->watch(0, quiet.fd(), kReadable, 1);
    set->watch(2, talking.fd(), kReadable | kWritable, 2);
    ASSERT_TRUE(talking_served->send_all("ready\n"));

    std::vector<short> ready;
    ASSERT_TRUE(turns_readable(*set));
    EXPECT_EQ(set->wait(deadline_after(2s), ready), 1);
    ASSERT_EQ(ready.size(), 3U) << "an entry per slot, the unused slot 1 too";
    EXPECT_EQ(ready[0], 0) << "the quiet socket has nothing to read";
    EXPECT_EQ(ready[1], 0);
    EXPECT_EQ(ready[2], kReadable | kWritable);

    set->watch(2, talking.fd(), kWritable, 2);
    EXPECT_EQ(set->wait(deadline_after(2s), ready), 1);
    EXPECT_EQ(ready[2], kWritable) << "only what the slot is watched for now";
}

// The deadline of set_deadline() is the host's (it makes fd() readable); the loop's wait has its own.
TEST(WaitSetTest, Wait_ReturnsNothingAtItsDeadline_WhateverTheSetsOwnDeadline) {
    std::optional<WaitSet> set = make_wait_set();
    if (!set) {
        GTEST_SKIP() << "no wait descriptor on this platform";
    }
    RawListener listener;
    RawSocket client = RawSocket::connect(listener.port());
    std::optional<RawSocket> served = listener.accept();
    ASSERT_TRUE(served);
    set->watch(0, client.fd(), kReadable, 1);
    set->set_deadline(Clock::now());
    ASSERT_TRUE(turns_readable(*set)) << "the passed deadline makes the descriptor readable";

    std::vector<short> ready{kReadable};
    EXPECT_EQ(set->wait(deadline_after(20ms), ready), 0);
    ASSERT_EQ(ready.size(), 1U);
    EXPECT_EQ(ready[0], 0);
}

}  // namespace
}  // namespace oneline::net
