#include <oneline/client.hpp>

#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/port_range.hpp"
#include "net/socket_io.hpp"
#include "net/socket.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>

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

/// `command` in quotes, cut to kQuotedBytes with its length added when longer.
std::string quoted(std::string_view command) {
    if (command.size() <= kQuotedBytes) {
        return "'" + std::string(command) + "'";
    }
    return "'" + std::string(command.substr(0, kQuotedBytes)) + "...' (" + std::to_string(command.size()) + " bytes)";
}

/// Failures that mean the server is not there yet (or not free yet), so connect(timeout, wait)
/// tries again; anything else would fail the same way each time. For a Unix domain socket, a socket
/// file not made yet is such a failure too.
bool worth_retrying(const std::error_code& code, bool unix_socket) {
    return code == std::errc::connection_refused || code == make_error_code(Errc::server_busy) ||
           code == std::errc::timed_out || code == std::errc::connection_reset ||
           code == std::errc::connection_aborted || (unix_socket && code == std::errc::no_such_file_or_directory);
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

class ONELINE_NO_EXPORT Client::Impl {
public:
    explicit Impl(ClientConfig config)
        : config_(std::move(config)), log_(config_.logger, config_.verbose, "oneline clnt: ") {}

    void connect(std::chrono::milliseconds timeout);
    void connect_waiting(std::chrono::milliseconds timeout, std::chrono::milliseconds wait);
    bool connected() const noexcept { return socket_.valid(); }
    net::NativeSocket native_socket() const noexcept { return socket_.get(); }
    bool send(std::string_view command);
    /// The next response, waiting up to `timeout`; the clock is read only when none is buffered.
    /// The view is valid until the next read, i.e. until the next call of any member.
    std::optional<std::string_view> recv(std::chrono::milliseconds timeout) {
        std::optional<std::string_view> response = take_response();
        return response ? response : read_and_take(timeout);
    }
    std::optional<std::string_view> recv(net::Deadline deadline);
    /// recv(timeout) when no whole response is buffered.
    std::optional<std::string_view> read_and_take(std::chrono::milliseconds timeout);
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
    /// Takes the next complete response out of the buffer, if one is there. Defined here, so that
    /// the common case of recv() is inlined.
    std::optional<std::string_view> take_response() {
        if (begin_ == lines_end_) {
            return std::nullopt;
        }
        const char* const start = received_.get() + begin_;
        const auto* const newline = static_cast<const char*>(std::memchr(start, '\n', lines_end_ - begin_));
        auto length = static_cast<std::size_t>(newline - start);
        begin_ += length + 1;
        if (length > 0 && start[length - 1] == '\r') {
            --length;  // one 0x0D before the 0x0A goes, like the server's default
        }
        if (begin_ == end_) {
            clear_received();  // the next read starts at the front again; the bytes stay until then
        }
        return std::string_view(start, length);
    }
    /// Makes room for one read at the end of the buffer; returns where it starts.
    char* room_for_read();
    /// Forgets every received byte (a new connection).
    void clear_received() noexcept { begin_ = end_ = lines_end_ = 0; }
    std::size_t buffered_bytes() const noexcept { return end_ - begin_; }
    [[noreturn]] void throw_send_timeout(std::string_view what, std::size_t written);
    void close(std::string_view reason);
    bool drain_until_server_closes(net::Deadline deadline);
    /// Why the server closed: the goodbye this client sent, if it sent one, else the server's own doing.
    std::string closed_reason() const {
        return goodbye_.empty() ? std::string("server closed the connection") : "sent " + goodbye_;
    }
    std::string where() const {
        return net::describe(config_.address, static_cast<std::uint16_t>(config_.port.value_or(0)));
    }

    ClientConfig config_;
    log::LogSink log_;
    net::Socket socket_;
    // Received bytes, read straight into one buffer and framed only when recv() takes them, so that
    // thousands of small responses cost one copy and no allocation each: [begin_, end_) is unread;
    // [begin_, lines_end_) holds whole responses, each ended by 0x0A; what follows is a partial one.
    std::unique_ptr<char[]> received_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::size_t lines_end_ = 0;
    std::size_t last_read_ = 0;  // bytes the last read_available() brought
    std::string outgoing_;
    std::vector<std::size_t> ends_;  // send_batch(): where each packed command ends in outgoing_
    // `disconnect` or `shutdown` when send() wrote one: the close that follows is logged as
    // disconnect() logs it, one wording for one kind of close.
    std::string goodbye_;
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
    clear_received();
    std::size_t written = 0;
    switch (write_line("ping", deadline, false, written)) {
        case WriteResult::written: break;
        case WriteResult::closed: throw Error(make_error_code(Errc::server_busy), "connect to " + where());
        case WriteResult::timed_out:
            throw Error(std::make_error_code(std::errc::timed_out),
                        "connect to " + where() + ": ping not taken within " + std::to_string(timeout.count()) + " ms");
    }
    const std::optional<std::string_view> answer = recv(deadline);
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
        const std::string answered(*answer);
        close("handshake failed");
        throw Error(make_error_code(Errc::handshake_failed), "connect to " + where() + ": answered '" + answered + "'");
    }
    log_.info("connected to ", where());
}

bool Client::Impl::send(std::string_view command) {
    if (!connected()) {
        throw Error(make_error_code(Errc::not_connected), "send " + quoted(command));
    }
    std::size_t written = 0;
    switch (write_line(command, std::nullopt, false, written)) {
        case WriteResult::written:
            if (command == "disconnect" || command == "shutdown") {
                goodbye_ = command;
            }
            return true;
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
            if (!worth_retrying(error.code(), net::is_unix_address(config_.address)) || net::expired(give_up, now)) {
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
    std::size_t done = 0;  // commands written whole
    std::size_t next = 0;  // the next command to pack
    std::vector<std::size_t>& ends = ends_;
    std::size_t offset = 0;   // bytes of outgoing_ written
    std::size_t written = 0;  // bytes written in all, for the timeout's message
    bool cut = false;         // outgoing_ has been cut after the command in progress
    net::Deadline stalled = net::deadline_after(config_.send_timeout);
    outgoing_.clear();
    ends.clear();
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
            // Where each command ends first, then one resize and a copy each: packing thousands
            // of short commands costs little more than copying their bytes.
            std::size_t size = 0;
            while (next + ends.size() < commands.size() &&
                   (size == 0 || size + commands[next + ends.size()].size() < kBatchChunk)) {
                size += commands[next + ends.size()].size() + 1;
                ends.push_back(size);
            }
            outgoing_.resize(size);
            char* into = outgoing_.data();
            for (std::size_t i = 0; i < ends.size(); ++i, ++next) {
                const auto& command = commands[next];
                into = std::copy_n(command.data(), command.size(), into);
                *into++ = '\n';
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
        // read before it reads on is never deadlocked. Past the buffer's limit only the command in
        // progress is finished, and such a server takes its rest only once we read: reading goes
        // on up to twice the limit, then it only waits.
        const std::size_t limit = config_.max_buffered_responses;
        const bool may_read = !full || buffered_bytes() - limit < limit;
        const short wanted = may_read ? net::kWritable | net::kReadable : net::kWritable;
        const short ready = net::wait_for(socket_.get(), wanted, stalled);
        if (ready == 0) {
            const std::size_t whole = whole_commands();
            close("send timed out: the server stopped taking data");
            throw_send_timeout("send a batch (" + std::to_string(whole) + " of " + std::to_string(commands.size()) +
                                   " commands written whole)",
                               written);
        }
        if ((ready & net::kReadable) != 0 && may_read) {
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
            const std::ptrdiff_t got = net::receive_some(socket_.get(), room_for_read(), kReadChunk);
            if (got == 0 || (got < 0 && !net::would_block(net::last_error()))) {
                close(closed_reason());
                return WriteResult::closed;
            }
        } else if ((ready & (net::kFailed | net::kHungUp)) != 0) {
            close("send failed: connection closed");
            return WriteResult::closed;
        }
    }
    return WriteResult::written;
}

std::optional<std::string_view> Client::Impl::read_and_take(std::chrono::milliseconds timeout) {
    // Nothing buffered. Only now the clock is read, and only when there is a time to wait.
    std::optional<std::string_view> response;
    if (timeout > std::chrono::milliseconds::zero()) {
        return recv(net::deadline_after(timeout));
    }
    // No waiting: read what has arrived without asking poll first, until a response is whole or a
    // read finds the socket drained. A read that closes may still complete responses.
    while (connected()) {
        const ReadResult result = read_available();
        response = take_response();
        if (response || result != ReadResult::got_bytes || last_read_ < kReadChunk) {
            break;
        }
    }
    return response;
}

std::optional<std::string_view> Client::Impl::recv(net::Deadline deadline) {
    std::optional<std::string_view> response = take_response();
    while (!response && connected() && read_more(deadline) != ReadResult::timed_out) {
        response = take_response();
    }
    return response;
}

char* Client::Impl::room_for_read() {
    if (capacity_ - end_ >= kReadChunk) {
        return received_.get() + end_;
    }
    const std::size_t unread = end_ - begin_;
    if (begin_ > 0 && capacity_ - unread >= kReadChunk + unread) {
        // Taken responses are dropped once the room they leave is at least what is kept: each
        // byte moves at most once more on average.
        std::memmove(received_.get(), received_.get() + begin_, unread);
    } else {
        const std::size_t capacity = std::max(2 * capacity_, 2 * unread + kReadChunk);
        std::unique_ptr<char[]> grown(new char[capacity]);  // uninitialised: reads fill it
        if (unread > 0) {
            std::memcpy(grown.get(), received_.get() + begin_, unread);
        }
        received_ = std::move(grown);
        capacity_ = capacity;
    }
    lines_end_ -= begin_;
    end_ = unread;
    begin_ = 0;
    return received_.get() + end_;
}

Client::Impl::ReadResult Client::Impl::read_more(net::Deadline deadline) {
    const short events = net::wait_for(socket_.get(), net::kReadable, deadline);
    if (events == 0) {
        return ReadResult::timed_out;
    }
    return read_available();
}

Client::Impl::ReadResult Client::Impl::read_available() {
    char* const into = room_for_read();
    const std::ptrdiff_t got = net::receive_some(socket_.get(), into, kReadChunk);
    const std::error_code error = got < 0 ? net::last_error() : std::error_code();
    last_read_ = 0;
    if (got < 0 && net::would_block(error)) {
        return ReadResult::got_bytes;  // spurious wake-up: look again
    }
    if (got <= 0) {
        close(got == 0 ? closed_reason() : "receive failed: " + error.message());
        return ReadResult::closed;
    }
    // The limit is checked as the bytes arrive, as the server's framer does, so that a response
    // passing it closes the connection at once; the responses before it can still be taken.
    const std::string_view fresh(into, static_cast<std::size_t>(got));
    const std::size_t max = config_.max_line_length;
    const std::size_t base = end_;
    std::size_t line_start = lines_end_;  // the response this read continues
    bool over = false;
    for (std::size_t newline = fresh.find('\n'); newline != std::string_view::npos;
         newline = fresh.find('\n', newline + 1)) {
        if (base + newline - line_start > max) {
            over = true;
            break;
        }
        if (max >= kReadChunk) {
            // Every later response that ends in this read began in it, so is shorter than the limit.
            line_start = base + fresh.rfind('\n') + 1;
            break;
        }
        line_start = base + newline + 1;
    }
    lines_end_ = line_start;
    end_ += fresh.size();
    last_read_ = fresh.size();
    if (over || end_ - line_start > max) {
        close("response longer than " + std::to_string(max) + " bytes");
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
        const std::ptrdiff_t got = net::receive_some(socket_.get(), room_for_read(), kReadChunk);
        if (got == 0 || (got < 0 && !net::would_block(net::last_error()))) {
            return true;
        }
    }
    return false;
}

void Client::Impl::close(std::string_view reason) {
    if (socket_) {
        socket_.reset();
        goodbye_.clear();
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
    std::optional<std::string> response;  // one named result: built in place, no copy per response
    if (const std::optional<std::string_view> view = impl_->recv(timeout)) {
        response.emplace(*view);
    }
    return response;
}
bool Client::recv(std::string& response, std::chrono::milliseconds timeout) {
    const std::optional<std::string_view> view = impl_->recv(timeout);
    if (view) {
        response.assign(*view);
    }
    return view.has_value();
}
std::size_t Client::send_batch(const std::vector<std::string>& commands) { return impl_->send_batch(commands); }
std::size_t Client::send_batch(const std::vector<std::string_view>& commands) { return impl_->send_batch(commands); }
std::size_t Client::send_batch(std::initializer_list<std::string_view> commands) {
    return impl_->send_batch(std::vector<std::string_view>(commands));  // a braced list is short: one copy of views
}
std::intptr_t Client::native_handle() const noexcept {
    // kNoSocket is -1 on POSIX and INVALID_SOCKET (all bits set) on Windows: -1 either way.
    return impl_ && impl_->connected() ? static_cast<std::intptr_t>(impl_->native_socket()) : -1;
}
bool Client::disconnect(std::chrono::milliseconds timeout) { return impl_->close_with("disconnect", timeout); }
bool Client::shutdown(std::chrono::milliseconds timeout) { return impl_->close_with("shutdown", timeout); }

}  // namespace oneline
