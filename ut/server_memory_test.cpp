// oneline::Server when memory runs out for one client's data: that client is dropped, the
// process and the server go on. This executable replaces the global operator new so that an
// allocation above a size can be made to fail on demand (its own executable: no other test
// shares the replacement). Real loopback sockets, port 0.
#include "support/sanitizers.hpp"
#include "support/server_fixture.hpp"
#include "support/wait.hpp"
#include "test/support/raw_socket.hpp"

#include <oneline/server.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>

namespace {

// Allocations of at least this many bytes fail while it is non-zero.
std::atomic<std::size_t> fail_allocations_from{0};

}  // namespace

#ifndef ONELINE_TEST_SANITIZED  // the sanitizer brings its own operator new
void* operator new(std::size_t size) {
    const std::size_t limit = fail_allocations_from.load(std::memory_order_relaxed);
    if (limit != 0 && size >= limit) {
        throw std::bad_alloc();
    }
    if (void* memory = std::malloc(size == 0 ? 1 : size)) {
        return memory;
    }
    throw std::bad_alloc();
}

// GCC takes the free() inside a replaced operator delete for a mismatch; here it is the pair of malloc() above.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

namespace oneline::test {
namespace {

using namespace std::chrono_literals;

/// Makes every allocation of at least `bytes` fail while it lives.
class LargeAllocationsFail {
public:
    explicit LargeAllocationsFail(std::size_t bytes) { fail_allocations_from = bytes; }
    ~LargeAllocationsFail() { fail_allocations_from = 0; }
    LargeAllocationsFail(const LargeAllocationsFail&) = delete;
    LargeAllocationsFail& operator=(const LargeAllocationsFail&) = delete;
};

constexpr std::size_t kFailFrom = 8 * 1024 * 1024;

class ServerMemoryTest : public ServerTest {
protected:
    void SetUp() override {
#ifdef ONELINE_TEST_SANITIZED
        GTEST_SKIP() << "the sanitizer's own operator new cannot be replaced to fail on demand";
#endif
    }
};

TEST_F(ServerMemoryTest, Server_DropsClient_WhenMemoryForItsCommandRunsOut_AndServesNext) {
    RecordProperty("srs", "SRS-044");
    start_server([](ServerConfig& config) { config.max_line_length = 256 * 1024 * 1024; });
    RawSocket client = connect_client();
    const std::string endless(16 * 1024 * 1024, 'm');  // made before allocations start failing
    {
        const LargeAllocationsFail no_large_blocks(kFailFrom);
        client.send_all(endless, kPatience);  // the server holds the unfinished command until memory fails
        EXPECT_TRUE(client.wait_closed()) << logger_->text();
        EXPECT_TRUE(logger_->wait_for("out of memory", kPatience)) << logger_->text();
    }
    EXPECT_TRUE(server_->running());
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
}

TEST_F(ServerMemoryTest, Server_DropsClient_WhenMemoryForItsResponseRunsOut_AndServesNext) {
    RecordProperty("srs", "SRS-044");
    const std::string large(12 * 1024 * 1024, 'r');  // made before allocations start failing
    start_server([](ServerConfig& config) { config.max_pending_output = 64 * 1024 * 1024; },
                 [this, &large](std::string_view command, bool) {
                     if (command == "large") {
                         server_->send(large);
                     }
                 });
    RawSocket client = connect_client();
    {
        const LargeAllocationsFail no_large_blocks(kFailFrom);
        ASSERT_TRUE(client.send_all("large\n"));
        EXPECT_TRUE(client.wait_closed()) << logger_->text();
        EXPECT_TRUE(logger_->wait_for("out of memory", kPatience)) << logger_->text();
    }
    EXPECT_EQ(logger_->text().find("callback threw"), std::string::npos)
        << "running out of memory is the client's end, not an error of the callback\n"
        << logger_->text();
    RawSocket next = connect_client();
    EXPECT_EQ(ask(next, "ping"), "pong");
}

}  // namespace
}  // namespace oneline::test
