// The wait set on its own: what it does with the number of a socket that was closed.
#include "net/socket_io.hpp"
#include "net/wait_set.hpp"

#include <oneline/errors.hpp>

#include "test/support/raw_listener.hpp"
#include "test/support/raw_socket.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

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

}  // namespace
}  // namespace oneline::net
