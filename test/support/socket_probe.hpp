#pragma once

#include "test/support/native_socket.hpp"

#include <cstddef>
#include <cstdint>

// Sockets of this process that a test does not own (the library's, when the server or client runs
// in the test's process), found and handled from outside: to check an option the library set, or
// to fill a buffer behind its back. Shares nothing with the library.
namespace oneline::test {

/// The local port `socket` is bound to; 0 when it is no socket or not bound.
std::uint16_t local_port_of(native::Handle socket) noexcept;

/// The peer's port of a connected `socket`; 0 when it has no peer.
std::uint16_t peer_port_of(native::Handle socket) noexcept;

/// A socket of this process bound to `local_port` and connected to peer port `peer_port` (0 for
/// either: any); native::kNoHandle when there is none. Tries every descriptor (handle) value in
/// turn, up to a few thousand sockets.
native::Handle find_socket(std::uint16_t local_port, std::uint16_t peer_port) noexcept;

/// True when SO_KEEPALIVE is on for `socket`.
bool keepalive_enabled(native::Handle socket) noexcept;

/// Writes junk to the non-blocking `socket` until its send buffer takes no more; returns how many
/// bytes went out.
std::size_t fill_send_buffer(native::Handle socket);

}  // namespace oneline::test
