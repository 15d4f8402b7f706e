#pragma once

// Winsock's headers and what the Windows sources of the platform layer share. Included by
// src/platform/windows/ only.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <system_error>

namespace oneline::platform::windows {

/// The category of Winsock (and Win32) error codes: message() is the system's text, and the
/// common codes compare equal to their std::errc counterparts (WSAECONNREFUSED ==
/// std::errc::connection_refused), so that portable code can test them.
const std::error_category& winsock_category() noexcept;

/// `code` (e.g. WSAGetLastError()) as a std::error_code of winsock_category().
inline std::error_code winsock_error(int code) noexcept { return {code, winsock_category()}; }

}  // namespace oneline::platform::windows
