#pragma once

#include "cli/options.hpp"
#include "log/message_text.hpp"

#include <oneline/client.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace oneline::cli {

/// Connecting failed; what() is the reason as connect_or_fail() prints it.
class ConnectFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A Client connected to `endpoint` (ping/pong handshake within `timeout`), trying again for up to
/// `wait` while the server is not there yet (see Client::connect(timeout, wait)). Throws
/// ConnectFailure with the reason, the address and, after waiting, "(kept trying for N s)".
Client connect_client(const Endpoint& endpoint, std::chrono::milliseconds timeout, bool verbose,
                      std::chrono::milliseconds wait = std::chrono::milliseconds(0));

/// A Client connected to `endpoint` (ping/pong handshake within `timeout`),
/// trying again for up to `wait` while the server is not there yet (see
/// Client::connect(timeout, wait)). On failure prints why, with the address,
/// and ends `command` with exit 1.
Client connect_or_fail(std::string_view command, const Endpoint& endpoint, std::chrono::milliseconds timeout,
                       bool verbose, std::chrono::milliseconds wait = std::chrono::milliseconds(0));

using text::seconds_text;  // "5 s", "0.25 s"

/// Sends `command_text`. Ends `command` with exit 1 when the server is gone.
void send_or_fail(std::string_view command, Client& client, const Endpoint& endpoint, std::string_view command_text);

/// The next response to `command_text`, waiting up to `timeout`. Ends
/// `command` with exit 1 when the server closed the connection or did not
/// answer in time.
std::string receive_or_fail(std::string_view command, Client& client, const Endpoint& endpoint,
                            std::chrono::milliseconds timeout, std::string_view command_text);

/// Sends `word` (`disconnect` or `shutdown`) and waits up to `timeout` for
/// the server to close the connection, so that when this returns the server
/// has acted on it. Responses still in flight are discarded. Ends `command`
/// with exit 1 when the server keeps the connection open.
void say_goodbye(std::string_view command, Client& client, const Endpoint& endpoint, std::chrono::milliseconds timeout,
                 std::string_view word);

}  // namespace oneline::cli
