#pragma once

#include <string>
#include <string_view>

// How an address names a Unix domain socket: "unix:" followed by the path of its file. Pure text
// handling, shared by the server, the client and the command-line tool.
namespace oneline::net {

inline constexpr std::string_view kUnixScheme = "unix:";

/// True when `address` names a Unix domain socket ("unix:PATH"); the port is then not used.
inline bool is_unix_address(std::string_view address) noexcept {
    return address.substr(0, kUnixScheme.size()) == kUnixScheme;
}

/// The PATH of "unix:PATH" (empty when `address` is not one, or has no path).
inline std::string unix_path(std::string_view address) {
    return is_unix_address(address) ? std::string(address.substr(kUnixScheme.size())) : std::string();
}

}  // namespace oneline::net
