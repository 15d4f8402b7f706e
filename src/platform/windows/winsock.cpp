// Winsock's start-up and its error codes as std::error_code, for every Windows source of the
// platform layer.
#include "platform/windows/winsock.hpp"

#include "net/socket_io.hpp"

#include <oneline/errors.hpp>

#include <optional>
#include <string>

namespace oneline::platform::windows {
namespace {

/// The std::errc a Winsock code means, for the codes portable code tests.
std::optional<std::errc> portable_equivalent(int code) noexcept {
    switch (code) {
        case WSAEINTR: return std::errc::interrupted;
        case WSAEBADF: return std::errc::bad_file_descriptor;
        case WSAEACCES: return std::errc::permission_denied;
        case WSAEFAULT: return std::errc::bad_address;
        case WSAEINVAL: return std::errc::invalid_argument;
        case WSAEMFILE: return std::errc::too_many_files_open;
        case WSAEWOULDBLOCK: return std::errc::operation_would_block;
        case WSAEINPROGRESS: return std::errc::operation_in_progress;
        case WSAEALREADY: return std::errc::connection_already_in_progress;
        case WSAENOTSOCK: return std::errc::not_a_socket;
        case WSAEDESTADDRREQ: return std::errc::destination_address_required;
        case WSAEMSGSIZE: return std::errc::message_size;
        case WSAEPROTOTYPE: return std::errc::wrong_protocol_type;
        case WSAENOPROTOOPT: return std::errc::no_protocol_option;
        case WSAEPROTONOSUPPORT: return std::errc::protocol_not_supported;
        case WSAEOPNOTSUPP: return std::errc::operation_not_supported;
        case WSAEAFNOSUPPORT: return std::errc::address_family_not_supported;
        case WSAEADDRINUSE: return std::errc::address_in_use;
        case WSAEADDRNOTAVAIL: return std::errc::address_not_available;
        case WSAENETDOWN: return std::errc::network_down;
        case WSAENETUNREACH: return std::errc::network_unreachable;
        case WSAENETRESET: return std::errc::network_reset;
        case WSAECONNABORTED: return std::errc::connection_aborted;
        case WSAECONNRESET: return std::errc::connection_reset;
        case WSAENOBUFS: return std::errc::no_buffer_space;
        case WSAEISCONN: return std::errc::already_connected;
        case WSAENOTCONN: return std::errc::not_connected;
        case WSAESHUTDOWN: return std::errc::broken_pipe;  // sending after shutdown: EPIPE on POSIX
        case WSAETIMEDOUT: return std::errc::timed_out;
        case WSAECONNREFUSED: return std::errc::connection_refused;
        case WSAENAMETOOLONG: return std::errc::filename_too_long;
        case WSAEHOSTUNREACH: return std::errc::host_unreachable;
        case WSA_NOT_ENOUGH_MEMORY: return std::errc::not_enough_memory;
        default: return std::nullopt;
    }
}

class WinsockCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "winsock"; }

    std::string message(int code) const override {
        char text[512];
        // MAX_WIDTH_MASK turns the text's line breaks into spaces.
        const DWORD length =
            ::FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK,
                             nullptr, static_cast<DWORD>(code), 0, text, sizeof text, nullptr);
        std::string message(text, length);
        // "...actively refused it. " reads like strerror() once the full stop and spaces go.
        while (!message.empty() &&
               (message.back() == ' ' || message.back() == '.' || message.back() == '\r' || message.back() == '\n')) {
            message.pop_back();
        }
        return message.empty() ? "Winsock error " + std::to_string(code) : message;
    }

    std::error_condition default_error_condition(int code) const noexcept override {
        if (const auto portable = portable_equivalent(code)) {
            return std::make_error_condition(*portable);
        }
        return {code, *this};
    }
};

}  // namespace

const std::error_category& winsock_category() noexcept {
    static const WinsockCategory category;
    return category;
}

}  // namespace oneline::platform::windows

namespace oneline::net {

std::error_code last_error() noexcept { return platform::windows::winsock_error(::WSAGetLastError()); }

void start_sockets() {
    // Started once for the process and never cleaned up: a WSACleanup() at exit could pull
    // Winsock from under sockets that other static objects or threads still close.
    static const int status = [] {
        WSADATA data{};
        return ::WSAStartup(MAKEWORD(2, 2), &data);
    }();
    if (status != 0) {
        throw Error(platform::windows::winsock_error(status), "WSAStartup");
    }
}

}  // namespace oneline::net
