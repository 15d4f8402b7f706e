// The wake event on Windows: a connected pair of loopback TCP sockets, made through a listener
// on 127.0.0.1 that lives only while the pair is made; WSAPoll waits on sockets only.
#include "net/wake_event.hpp"

#include "net/deadline.hpp"
#include "net/socket_io.hpp"
#include "platform/windows/winsock.hpp"

#include <oneline/errors.hpp>

#include <array>
#include <chrono>
#include <string>

namespace oneline::net {
namespace {

[[noreturn]] void fail(const std::string& step) { throw Error(last_error(), "wake event: " + step); }

sockaddr_in local_address(NativeSocket socket) {
    sockaddr_in address{};
    int length = sizeof address;
    if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        fail("getsockname");
    }
    return address;
}

bool is_peer(NativeSocket accepted, const sockaddr_in& expected) noexcept {
    sockaddr_in peer{};
    int length = sizeof peer;
    return ::getpeername(accepted, reinterpret_cast<sockaddr*>(&peer), &length) == 0 &&
           peer.sin_port == expected.sin_port && peer.sin_addr.s_addr == expected.sin_addr.s_addr;
}

}  // namespace

WakeEvent::WakeEvent() {
    start_sockets();
    Socket listener = open_stream_socket(AF_INET);
    if (!listener) {
        fail("socket");
    }
    allow_quick_rebind(listener.get());  // exclusive: no other socket can bind the port and answer
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener.get(), 1) != 0) {
        fail("listen on 127.0.0.1");
    }
    address = local_address(listener.get());

    write_end_ = open_stream_socket(AF_INET);
    if (!write_end_) {
        fail("socket");
    }
    if (::connect(write_end_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
        !connect_in_progress(last_error())) {
        fail("connect to 127.0.0.1");
    }
    // Loopback connects at once; the bound only keeps a broken system from hanging the caller.
    const Deadline deadline = deadline_after(std::chrono::seconds(10));
    if (const std::error_code error = wait_connected(write_end_.get(), deadline)) {
        throw Error(error, "wake event: connect to 127.0.0.1");
    }
    const sockaddr_in writer = local_address(write_end_.get());
    // Another local program may connect to the listener too: only our own writer is taken.
    while (!read_end_ || !is_peer(read_end_.get(), writer)) {
        if ((wait_for(listener.get(), kReadable, deadline) & kReadable) == 0) {
            throw Error(std::make_error_code(std::errc::timed_out), "wake event: accept on 127.0.0.1");
        }
        read_end_ = accept_connection(listener.get());
        if (!read_end_ && !would_block(last_error())) {
            fail("accept on 127.0.0.1");
        }
    }
    BOOL no_delay = TRUE;  // the one byte of a signal goes out at once
    ::setsockopt(write_end_.get(), IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&no_delay), sizeof no_delay);
}

void WakeEvent::signal() noexcept {
    const char one = 1;  // when the buffers are full the read end is readable already: nothing more is needed
    ::send(write_end_.get(), &one, 1, 0);
}

void WakeEvent::clear() noexcept {
    std::array<char, 64> drained{};
    while (::recv(read_end_.get(), drained.data(), static_cast<int>(drained.size()), 0) > 0) {
    }
}

}  // namespace oneline::net
