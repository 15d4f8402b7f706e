#include <oneline/client.hpp>

#include "framing/line_framer.hpp"
#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/socket_io.hpp"
#include "net/socket.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"

#include <deque>

namespace oneline {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
/// How much of a command an error message quotes: a multi-megabyte command must not make a multi-megabyte message.
constexpr std::size_t kQuotedBytes = 60;

framing::FramerOptions response_framing(const ClientConfig& config) {
    framing::FramerOptions options;
    options.max_line_length = config.max_line_length;
    options.byte_rule = framing::ByteRule::any;  // responses are returned as received
    return options;
}

/// `command` in quotes, cut to kQuotedBytes with its length added when longer.
std::string quoted(std::string_view command) {
    if (command.size() <= kQuotedBytes) {
        return "'" + std::string(command) + "'";
    }
    return "'" + std::string(command.substr(0, kQuotedBytes)) + "...' (" + std::to_string(command.size()) + " bytes)";
}

}  // namespace

std::vector<std::string> ClientConfig::missing_parameters() const {
    std::vector<std::string> missing;
    if (address.empty()) {
        missing.emplace_back("address");
    }
    if (!port && !net::is_unix_address(address)) {
        missing.emplace_back("port");
    }
    return missing;
}

class Client::Impl {
public:
    explicit Impl(ClientConfig config)
        : config_(std::move(config)),
          log_(config_.logger, config_.verbose, "oneline clnt: "),
          framer_(response_framing(config_)) {}

    void connect(std::chrono::milliseconds timeout);
    bool connected() const noexcept { return socket_.valid(); }
    bool send(std::string_view command);
    std::optional<std::string> recv(net::Deadline deadline);
    bool close_with(std::string_view command, std::chrono::milliseconds timeout);

private:
    enum class ReadResult { got_bytes, timed_out, closed };
    enum class WriteResult { written, timed_out, closed };
    /// Writes `command` plus 0x0A, giving up when the server takes nothing for send_timeout or at
    /// `deadline`; with `discard_input`, reads and drops what arrives meanwhile. Closes the
    /// connection unless written. `written` counts the bytes that went out.
    WriteResult write_line(std::string_view command, net::Deadline deadline, bool discard_input, std::size_t& written);
    ReadResult read_more(net::Deadline deadline);
    void close(std::string_view reason);
    bool drain_until_server_closes(net::Deadline deadline);
    std::string where() const { return net::describe(config_.address, config_.port.value_or(0)); }

    ClientConfig config_;
    log::LogSink log_;
    framing::LineFramer framer_;
    net::Socket socket_;
    std::deque<std::string> responses_;
    std::string read_buffer_ = std::string(kReadChunk, '\0');
    std::string outgoing_;
};

void Client::Impl::connect(std::chrono::milliseconds timeout) {
    if (auto missing = config_.missing_parameters(); !missing.empty()) {
        throw MissingParameters(std::move(missing));
    }
    close_with("disconnect", Client::close_timeout);
    const net::Deadline deadline = net::deadline_after(timeout);
    socket_ = net::is_unix_address(config_.address) ? net::connect_unix(net::unix_path(config_.address), deadline)
                                                    : net::connect_tcp(config_.address, *config_.port, deadline);
    net::tune_connection(socket_.get());
    framer_.reset();
    responses_.clear();
    std::size_t written = 0;
    switch (write_line("ping", deadline, false, written)) {
        case WriteResult::written: break;
        case WriteResult::closed: throw Error(make_error_code(Errc::server_busy), "connect to " + where());
        case WriteResult::timed_out:
            throw Error(std::make_error_code(std::errc::timed_out),
                        "connect to " + where() + ": ping not taken within " + std::to_string(timeout.count()) + " ms");
    }
    const std::optional<std::string> answer = recv(deadline);
    if (!answer) {
        const bool closed = !connected();
        close("handshake failed");
        if (closed) {
            throw Error(make_error_code(Errc::server_busy), "connect to " + where());
        }
        throw Error(std::make_error_code(std::errc::timed_out),
                    "connect to " + where() + ": no answer to ping within " + std::to_string(timeout.count()) + " ms");
    }
    if (*answer != "pong") {
        close("handshake failed");
        throw Error(make_error_code(Errc::handshake_failed), "connect to " + where() + ": answered '" + *answer + "'");
    }
    log_.info("connected to ", where());
}

bool Client::Impl::send(std::string_view command) {
    if (!connected()) {
        throw Error(make_error_code(Errc::not_connected), "send " + quoted(command));
    }
    std::size_t written = 0;
    switch (write_line(command, std::nullopt, false, written)) {
        case WriteResult::written: return true;
        case WriteResult::closed: return false;
        case WriteResult::timed_out: break;
    }
    throw Error(std::make_error_code(std::errc::timed_out),
                "send " + quoted(command) + " to " + where() + ": the server took nothing for " +
                    std::to_string(config_.send_timeout.count()) +
                    " ms (it stopped reading); closed the connection with " + std::to_string(written) +
                    " bytes written");
}

Client::Impl::WriteResult Client::Impl::write_line(std::string_view command, net::Deadline deadline, bool discard_input,
                                                   std::size_t& written) {
    outgoing_.assign(command).push_back('\n');  // one write per command: no partial packets on the wire
    std::string_view rest = outgoing_;
    written = 0;
    // Counted from the last progress, like the server's send timeout: a slow reader is not a stuck one.
    net::Deadline stalled = net::deadline_after(config_.send_timeout);
    const short events = discard_input ? net::kWritable | net::kReadable : net::kWritable;
    while (!rest.empty()) {
        const std::ptrdiff_t sent = net::send_some(socket_.get(), rest);
        if (sent < 0) {
            close("send failed: " + net::last_error().message());
            return WriteResult::closed;
        }
        if (sent > 0) {
            rest.remove_prefix(static_cast<std::size_t>(sent));
            written += static_cast<std::size_t>(sent);
            stalled = net::deadline_after(config_.send_timeout);
            continue;
        }
        const short ready = net::wait_for(socket_.get(), events, net::earliest(stalled, deadline));
        if (ready == 0) {
            close("send timed out: the server stopped taking data");
            return WriteResult::timed_out;
        }
        if ((ready & net::kReadable) != 0 && discard_input) {
            const std::ptrdiff_t got = net::receive_some(socket_.get(), read_buffer_.data(), read_buffer_.size());
            if (got == 0 || (got < 0 && !net::would_block(net::last_error()))) {
                close("server closed the connection");
                return WriteResult::closed;
            }
        } else if ((ready & (net::kFailed | net::kHungUp)) != 0) {
            close("send failed: connection closed");
            return WriteResult::closed;
        }
    }
    return WriteResult::written;
}

std::optional<std::string> Client::Impl::recv(net::Deadline deadline) {
    while (responses_.empty()) {
        if (!connected() || read_more(deadline) != ReadResult::got_bytes) {
            break;
        }
    }
    if (responses_.empty()) {
        return std::nullopt;
    }
    std::string response = std::move(responses_.front());
    responses_.pop_front();
    return response;
}

Client::Impl::ReadResult Client::Impl::read_more(net::Deadline deadline) {
    const short events = net::wait_for(socket_.get(), net::kReadable, deadline);
    if (events == 0) {
        return ReadResult::timed_out;
    }
    const std::ptrdiff_t got = net::receive_some(socket_.get(), read_buffer_.data(), read_buffer_.size());
    const std::error_code error = got < 0 ? net::last_error() : std::error_code();
    if (got < 0 && net::would_block(error)) {
        return ReadResult::got_bytes;  // spurious wake-up: look again
    }
    if (got <= 0) {
        close(got == 0 ? "server closed the connection" : "receive failed: " + error.message());
        return ReadResult::closed;
    }
    const auto status = framer_.feed(std::string_view(read_buffer_.data(), static_cast<std::size_t>(got)),
                                     [this](std::string_view line, bool) {
                                         responses_.emplace_back(line);
                                         return true;
                                     });
    if (status == framing::LineFramer::Status::line_too_long) {
        close("response longer than " + std::to_string(config_.max_line_length) + " bytes");
        return ReadResult::closed;
    }
    return ReadResult::got_bytes;
}

bool Client::Impl::close_with(std::string_view command, std::chrono::milliseconds timeout) {
    if (!connected()) {
        return true;
    }
    const net::Deadline deadline = net::deadline_after(timeout);
    // Responses are discarded while writing too: a server that stopped reading until its responses
    // are read then goes on and takes the command.
    std::size_t written = 0;
    switch (write_line(command, deadline, true, written)) {
        case WriteResult::written: break;
        case WriteResult::closed: return true;  // the server is gone, which is what the command asked for
        case WriteResult::timed_out: return false;
    }
    const bool closed_by_server = drain_until_server_closes(deadline);
    close("sent " + std::string(command));
    return closed_by_server;
}

bool Client::Impl::drain_until_server_closes(net::Deadline deadline) {
    // Closing with unread responses makes the kernel reset the connection, and the reset can reach
    // the server before it has read the command just sent, which is then lost. So: stop sending,
    // discard what arrives until the server closes (it does once it has acted), bounded in time.
    net::shutdown_sending(socket_.get());
    while (net::wait_for(socket_.get(), net::kReadable, deadline) != 0) {
        const std::ptrdiff_t got = net::receive_some(socket_.get(), read_buffer_.data(), read_buffer_.size());
        if (got == 0 || (got < 0 && !net::would_block(net::last_error()))) {
            return true;
        }
    }
    return false;
}

void Client::Impl::close(std::string_view reason) {
    if (socket_) {
        socket_.reset();
        log_.info("disconnected from ", where(), ": ", reason);
    }
}

Client::Client(ClientConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

void Client::connect(std::chrono::milliseconds timeout) { impl_->connect(timeout); }
bool Client::connected() const noexcept { return impl_ && impl_->connected(); }
bool Client::send(std::string_view command) { return impl_->send(command); }
std::optional<std::string> Client::recv(std::chrono::milliseconds timeout) {
    return impl_->recv(net::deadline_after(timeout));
}
bool Client::disconnect(std::chrono::milliseconds timeout) { return impl_->close_with("disconnect", timeout); }
bool Client::shutdown(std::chrono::milliseconds timeout) { return impl_->close_with("shutdown", timeout); }

}  // namespace oneline
