#include <oneline/client.hpp>

#include "framing/line_framer.hpp"
#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/port_range.hpp"
#include "net/socket_io.hpp"
#include "net/socket.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"

#include <algorithm>
#include <thread>

namespace oneline {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
/// The most bytes of commands send_batch() packs into one write.
constexpr std::size_t kBatchChunk = 256 * 1024;
/// connect(timeout, wait): the first and the longest pause between attempts.
constexpr std::chrono::milliseconds kFirstRetryPause{50};
constexpr std::chrono::milliseconds kLongestRetryPause{500};
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

/// Failures that mean the server is not there yet (or not free yet), so connect(timeout, wait)
/// tries again; anything else would fail the same way each time.
bool worth_retrying(const std::error_code& code) {
    return code == std::errc::connection_refused || code == make_error_code(Errc::server_busy) ||
           code == std::errc::timed_out || code == std::errc::connection_reset || code == std::errc::connection_aborted;
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
    void connect_waiting(std::chrono::milliseconds timeout, std::chrono::milliseconds wait);
    bool connected() const noexcept { return socket_.valid(); }
    net::NativeSocket native_socket() const noexcept { return socket_.get(); }
    bool send(std::string_view command);
    std::optional<std::string> recv(net::Deadline deadline);
    template <class Commands>
    std::size_t send_batch(const Commands& commands);
    bool close_with(std::string_view command, std::chrono::milliseconds timeout);

private:
    enum class ReadResult { got_bytes, timed_out, closed };
    enum class WriteResult { written, timed_out, closed };
    /// Writes `command` plus 0x0A, giving up when the server takes nothing for send_timeout or at
    /// `deadline`; with `discard_input`, reads and drops what arrives meanwhile. Closes the
    /// connection unless written. `written` counts the bytes that went out.
    WriteResult write_line(std::string_view command, net::Deadline deadline, bool discard_input, std::size_t& written);
    ReadResult read_more(net::Deadline deadline);
    /// Reads what has arrived (the socket was reported readable) into the responses.
    ReadResult read_available();
    std::size_t buffered_bytes() const noexcept { return responses_.size() - next_response_; }
    [[noreturn]] void throw_send_timeout(std::string_view what, std::size_t written);
    void close(std::string_view reason);
    bool drain_until_server_closes(net::Deadline deadline);
    std::string where() const {
        return net::describe(config_.address, static_cast<std::uint16_t>(config_.port.value_or(0)));
    }

    ClientConfig config_;
    log::LogSink log_;
    framing::LineFramer framer_;
    net::Socket socket_;
    // Received responses, each followed by 0x0A (framed lines never contain one), in one buffer so
    // that thousands of small responses cost no allocation each; recv() takes them from next_response_.
    std::string responses_;
    std::size_t next_response_ = 0;
    std::string read_buffer_ = std::string(kReadChunk, '\0');
    std::string outgoing_;
};

void Client::Impl::connect(std::chrono::milliseconds timeout) {
    if (auto missing = config_.missing_parameters(); !missing.empty()) {
        throw MissingParameters(std::move(missing));
    }
    const bool unix_socket = net::is_unix_address(config_.address);
    const std::uint16_t port = unix_socket ? std::uint16_t{0} : net::checked_port(*config_.port);
    close_with("disconnect", Client::close_timeout);
    const net::Deadline deadline = net::deadline_after(timeout);
    socket_ = unix_socket ? net::connect_unix(net::unix_path(config_.address), deadline)
                          : net::connect_tcp(config_.address, port, deadline);
    net::tune_connection(socket_.get());
    framer_.reset();
    responses_.clear();
    next_response_ = 0;
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
    throw_send_timeout("send " + quoted(command), written);
}

void Client::Impl::throw_send_timeout(std::string_view what, std::size_t written) {
    throw Error(std::make_error_code(std::errc::timed_out),
                std::string(what) + " to " + where() + ": the server took nothing for " +
                    std::to_string(config_.send_timeout.count()) +
                    " ms (it stopped reading); closed the connection with " + std::to_string(written) +
                    " bytes written");
}

void Client::Impl::connect_waiting(std::chrono::milliseconds timeout, std::chrono::milliseconds wait) {
    const net::Deadline give_up = net::deadline_after(wait);
    std::chrono::milliseconds pause = kFirstRetryPause;
    for (;;) {
        try {
            connect(timeout);
            return;
        } catch (const MissingParameters&) {
            throw;
        } catch (const Error& error) {
            const net::Clock::time_point now = net::Clock::now();
            if (!worth_retrying(error.code()) || net::expired(give_up, now)) {
                throw;
            }
            const auto rest = give_up ? std::chrono::ceil<std::chrono::milliseconds>(*give_up - now) : pause;
            log_.info("connect to ", where(), " failed (", error.code().message(), "); trying again");
            std::this_thread::sleep_for(std::min(pause, rest));  // a back-off, not a wait for an event
            pause = std::min(pause * 2, kLongestRetryPause);
        }
    }
}

template <class Commands>
std::size_t Client::Impl::send_batch(const Commands& commands) {
    if (!connected()) {
        throw Error(make_error_code(Errc::not_connected),
                    "send a batch of " + std::to_string(commands.size()) + " commands");
    }
    std::size_t done = 0;           // commands written whole
    std::size_t next = 0;           // the next command to pack
    std::vector<std::size_t> ends;  // where each packed command ends in outgoing_
    std::size_t offset = 0;         // bytes of outgoing_ written
    std::size_t written = 0;        // bytes written in all, for the timeout's message
    bool cut = false;               // outgoing_ has been cut after the command in progress
    net::Deadline stalled = net::deadline_after(config_.send_timeout);
    outgoing_.clear();
    const auto whole_commands = [&] {
        return done + static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), offset) - ends.begin());
    };
    for (;;) {
        const bool full = buffered_bytes() >= config_.max_buffered_responses;
        if (offset == outgoing_.size()) {
            done = next;
            outgoing_.clear();
            ends.clear();
            offset = 0;
            cut = false;
            if (next == commands.size() || full) {
                return done;
            }
            while (next < commands.size() &&
                   (outgoing_.empty() || outgoing_.size() + commands[next].size() < kBatchChunk)) {
                outgoing_.append(commands[next].data(), commands[next].size()).push_back('\n');
                ends.push_back(outgoing_.size());
                ++next;
            }
        } else if (full && !cut) {
            // Finish the command in progress only: nothing more goes out until recv() takes responses.
            const bool between_commands = offset == 0 || std::binary_search(ends.begin(), ends.end(), offset);
            const std::size_t keep = between_commands ? offset : *std::upper_bound(ends.begin(), ends.end(), offset);
            const auto kept = static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), keep) - ends.begin());
            outgoing_.resize(keep);
            ends.resize(kept);
            next = done + kept;
            cut = true;
            continue;
        }
        const std::ptrdiff_t sent = net::send_some(socket_.get(), std::string_view(outgoing_).substr(offset));
        if (sent < 0) {
            close("send failed: " + net::last_error().message());
            return whole_commands();
        }
        if (sent > 0) {
            offset += static_cast<std::size_t>(sent);
            written += static_cast<std::size_t>(sent);
            stalled = net::deadline_after(config_.send_timeout);
            continue;
        }
        // The socket is full: read responses while waiting, so that a server that waits for us to
        // read before it reads on is never deadlocked; past the buffer's limit, only wait.
        const short wanted = full ? net::kWritable : net::kWritable | net::kReadable;
        const short ready = net::wait_for(socket_.get(), wanted, stalled);
        if (ready == 0) {
            const std::size_t whole = whole_commands();
            close("send timed out: the server stopped taking data");
            throw_send_timeout("send a batch (" + std::to_string(whole) + " of " + std::to_string(commands.size()) +
                                   " commands written whole)",
                               written);
        }
        if ((ready & net::kReadable) != 0 && !full) {
            if (read_available() == ReadResult::closed) {
                return whole_commands();
            }
        } else if ((ready & (net::kFailed | net::kHungUp)) != 0 && (ready & net::kWritable) == 0) {
            close("send failed: connection closed");
            return whole_commands();
        }
    }
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
    std::size_t end = responses_.find('\n', next_response_);
    while (end == std::string::npos) {
        const std::size_t scanned = responses_.size();
        // A read that ends the connection (a line too long, the server's close) may still have
        // completed responses before it: they are returned first.
        const bool more = connected() && read_more(deadline) == ReadResult::got_bytes;
        end = responses_.find('\n', scanned);
        if (!more && end == std::string::npos) {
            return std::nullopt;
        }
    }
    std::string response(responses_, next_response_, end - next_response_);
    next_response_ = end + 1;
    if (next_response_ == responses_.size()) {
        responses_.clear();
        next_response_ = 0;
    } else if (next_response_ >= kReadChunk && next_response_ * 2 >= responses_.size()) {
        // Taken responses are dropped once they are the larger part: each byte moves at most once more.
        responses_.erase(0, next_response_);
        next_response_ = 0;
    }
    return response;
}

Client::Impl::ReadResult Client::Impl::read_more(net::Deadline deadline) {
    const short events = net::wait_for(socket_.get(), net::kReadable, deadline);
    if (events == 0) {
        return ReadResult::timed_out;
    }
    return read_available();
}

Client::Impl::ReadResult Client::Impl::read_available() {
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
                                         responses_.append(line).push_back('\n');
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
void Client::connect(std::chrono::milliseconds timeout, std::chrono::milliseconds wait) {
    impl_->connect_waiting(timeout, wait);
}
bool Client::connected() const noexcept { return impl_ && impl_->connected(); }
bool Client::send(std::string_view command) { return impl_->send(command); }
std::optional<std::string> Client::recv(std::chrono::milliseconds timeout) {
    return impl_->recv(net::deadline_after(timeout));
}
std::size_t Client::send_batch(const std::vector<std::string>& commands) { return impl_->send_batch(commands); }
std::size_t Client::send_batch(const std::vector<std::string_view>& commands) { return impl_->send_batch(commands); }
std::intptr_t Client::native_handle() const noexcept {
    // kNoSocket is -1 on POSIX and INVALID_SOCKET (all bits set) on Windows: -1 either way.
    return impl_ && impl_->connected() ? static_cast<std::intptr_t>(impl_->native_socket()) : -1;
}
bool Client::disconnect(std::chrono::milliseconds timeout) { return impl_->close_with("disconnect", timeout); }
bool Client::shutdown(std::chrono::milliseconds timeout) { return impl_->close_with("shutdown", timeout); }

}  // namespace oneline
