#include <oneline/client.hpp>

#include "framing/line_framer.hpp"
#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/socket_io.hpp"
#include "net/unique_fd.hpp"

#include <cerrno>
#include <cstring>
#include <deque>
#include <poll.h>
#include <sys/socket.h>

namespace oneline {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

framing::FramerOptions response_framing(const ClientConfig& config) {
    framing::FramerOptions options;
    options.max_line_length = config.max_line_length;
    options.byte_rule = framing::ByteRule::any;  // responses are returned as received
    return options;
}

}  // namespace

std::vector<std::string> ClientConfig::missing_parameters() const {
    std::vector<std::string> missing;
    if (address.empty()) {
        missing.emplace_back("address");
    }
    if (!port) {
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
    ReadResult read_more(net::Deadline deadline);
    void close(std::string_view reason);
    bool drain_until_server_closes(std::chrono::milliseconds timeout);
    std::string where() const { return net::describe(config_.address, config_.port.value_or(0)); }

    ClientConfig config_;
    log::LogSink log_;
    framing::LineFramer framer_;
    net::UniqueFd socket_;
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
    socket_ = net::connect_tcp(config_.address, *config_.port, deadline);
    net::tune_connection(socket_.get());
    framer_.reset();
    responses_.clear();
    if (!send("ping")) {
        throw Error(make_error_code(Errc::server_busy), "connect to " + where());
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
        throw Error(make_error_code(Errc::not_connected), "send '" + std::string(command) + "'");
    }
    outgoing_.assign(command).push_back('\n');  // one write per command: no partial packets on the wire
    std::string_view rest = outgoing_;
    while (!rest.empty()) {
        const ssize_t sent = net::send_some(socket_.get(), rest);
        if (sent < 0) {
            close(std::string("send failed: ") + std::strerror(errno));
            return false;
        }
        if (sent == 0 && (net::wait_for(socket_.get(), POLLOUT, std::nullopt) & (POLLERR | POLLHUP)) != 0) {
            close("send failed: connection closed");
            return false;
        }
        rest.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
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
    const short events = net::wait_for(socket_.get(), POLLIN, deadline);
    if (events == 0) {
        return ReadResult::timed_out;
    }
    const ssize_t got = net::receive_some(socket_.get(), read_buffer_.data(), read_buffer_.size());
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return ReadResult::got_bytes;  // spurious wake-up: look again
    }
    if (got <= 0) {
        close(got == 0 ? "server closed the connection" : std::string("receive failed: ") + std::strerror(errno));
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
    // A send that finds the server gone has closed the connection already.
    const bool closed_by_server = !send(command) || drain_until_server_closes(timeout);
    close("sent " + std::string(command));
    return closed_by_server;
}

bool Client::Impl::drain_until_server_closes(std::chrono::milliseconds timeout) {
    // Closing with unread responses makes the kernel reset the connection, and the reset can reach
    // the server before it has read the command just sent, which is then lost. So: stop sending,
    // discard what arrives until the server closes (it does once it has acted), bounded in time.
    ::shutdown(socket_.get(), SHUT_WR);
    const net::Deadline deadline = net::deadline_after(timeout);
    while (net::wait_for(socket_.get(), POLLIN, deadline) != 0) {
        const ssize_t got = net::receive_some(socket_.get(), read_buffer_.data(), read_buffer_.size());
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
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
