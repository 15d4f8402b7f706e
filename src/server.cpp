#include <oneline/server.hpp>

#include "framing/line_framer.hpp"
#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/socket_io.hpp"
#include "net/unique_fd.hpp"
#include "net/wake_event.hpp"
#include "server/response_queue.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <utility>

namespace oneline {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Above this many unwritten response bytes the server stops reading commands,
// so a client that pipelines without reading is slowed down, not buffered for.
constexpr std::size_t kPauseReadingAbove = 1024 * 1024;
// After accept() fails (e.g. out of descriptors) it is retried after this long, not in a busy loop.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

enum class Builtin { none, ping, disconnect, shutdown };

Builtin find_builtin(std::string_view command) {
    static constexpr std::array<std::pair<std::string_view, Builtin>, 3> kBuiltins{{
        {"ping", Builtin::ping},
        {"disconnect", Builtin::disconnect},
        {"shutdown", Builtin::shutdown},
    }};
    for (const auto& [name, builtin] : kBuiltins) {
        if (command == name) {
            return builtin;
        }
    }
    return Builtin::none;
}

framing::FramerOptions framer_options(const ServerConfig& config) {
    framing::FramerOptions options;
    options.max_line_length = config.max_line_length;
    options.keep_cr = config.keep_cr;
    options.byte_rule = config.decoding == Decoding::utf8 ? framing::ByteRule::utf8 : framing::ByteRule::ascii;
    return options;
}

std::string milliseconds_text(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

}  // namespace

std::vector<std::string> ServerConfig::missing_parameters() const {
    std::vector<std::string> missing;
    if (address.empty()) {
        missing.emplace_back("address");
    }
    if (!port) {
        missing.emplace_back("port");
    }
    if (!callback) {
        missing.emplace_back("callback");
    }
    return missing;
}

class Server::Impl {
public:
    explicit Impl(ServerConfig config)
        : config_(std::move(config)),
          log_(config_.logger, config_.verbose, "oneline srvr: "),
          framer_(framer_options(config_)),
          queue_(config_.max_pending_output),
          read_buffer_(new char[kReadChunk]) {}

    ~Impl() { stop(); }

    void listen();
    void start();
    void serve_forever();
    void stop();
    bool wait_for_running(bool wanted, std::chrono::milliseconds timeout) const;
    bool running() const;
    std::uint16_t port() const;
    bool send(std::string_view response);
    bool client_connected() const { return queue_.is_open(); }

private:
    enum class AfterCommand { go_on, disconnect, shutdown };

    void listen_locked();
    void begin_serving_locked();
    void serve();
    void wait_and_handle_events();
    void accept_clients();
    void read_from_client();
    bool dispatch(std::string_view command, bool is_invalid);
    void run_callback(std::string_view command, bool is_invalid);
    void write_to_client();
    void flush_before_close();
    void drop_client(std::string_view reason);
    net::Deadline next_deadline() const;
    void check_deadlines();
    std::size_t unwritten() const noexcept { return output_.size() - output_offset_; }

    ServerConfig config_;
    log::LogSink log_;

    // Lifecycle, guarded by state_mutex_.
    mutable std::mutex state_mutex_;
    mutable std::condition_variable state_changed_;
    net::UniqueFd listener_;
    std::uint16_t port_ = 0;
    bool running_ = false;
    std::thread thread_;

    std::atomic<bool> stop_requested_{false};
    std::atomic<std::thread::id> loop_thread_{};
    net::WakeEvent wake_;

    // Owned by the serving loop's thread.
    framing::LineFramer framer_;
    server::ResponseQueue queue_;
    std::unique_ptr<char[]> read_buffer_;
    net::UniqueFd client_;
    std::string client_name_;
    std::string output_;  // drained responses being written
    std::size_t output_offset_ = 0;
    AfterCommand after_command_ = AfterCommand::go_on;
    net::Clock::time_point last_input_{};
    std::optional<net::Clock::time_point> output_waiting_since_;  // unwritten output made no progress since
    net::Deadline accept_retry_at_;
};

void Server::Impl::listen() {
    const std::lock_guard lock(state_mutex_);
    listen_locked();
}

void Server::Impl::listen_locked() {
    if (listener_) {
        return;
    }
    if (auto missing = config_.missing_parameters(); !missing.empty()) {
        throw MissingParameters(std::move(missing));
    }
    listener_ = net::listen_tcp(config_.address, *config_.port);
    port_ = net::local_port(listener_.get());
    log_.info("listening on ", net::describe(config_.address, port_));
}

void Server::Impl::begin_serving_locked() {
    if (running_) {
        throw Error(std::make_error_code(std::errc::operation_in_progress), "server is already running");
    }
    if (thread_.joinable()) {
        thread_.join();  // a previous run that ended by itself (shutdown)
    }
    listen_locked();
    stop_requested_ = false;
    wake_.clear();
    running_ = true;
    state_changed_.notify_all();
}

void Server::Impl::start() {
    const std::lock_guard lock(state_mutex_);
    begin_serving_locked();
    thread_ = std::thread([this] { serve(); });
}

void Server::Impl::serve_forever() {
    {
        const std::lock_guard lock(state_mutex_);
        begin_serving_locked();
    }
    serve();
}

void Server::Impl::stop() {
    std::unique_lock lock(state_mutex_);
    if (!running_) {
        listener_.reset();  // listening but never served, or already stopped
        port_ = 0;
        std::thread finished = std::move(thread_);
        lock.unlock();
        if (finished.joinable()) {
            finished.join();
        }
        return;
    }
    stop_requested_ = true;
    wake_.signal();
    if (std::this_thread::get_id() == loop_thread_.load()) {
        return;  // called from the callback: the loop ends once it returns
    }
    std::thread serving = std::move(thread_);
    if (serving.joinable()) {
        lock.unlock();
        serving.join();
    } else {
        state_changed_.wait(lock, [this] { return !running_; });  // serve_forever in another thread
    }
}

bool Server::Impl::wait_for_running(bool wanted, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_mutex_);
    return state_changed_.wait_for(lock, timeout, [&] { return running_ == wanted; });
}

bool Server::Impl::running() const {
    const std::lock_guard lock(state_mutex_);
    return running_;
}

std::uint16_t Server::Impl::port() const {
    const std::lock_guard lock(state_mutex_);
    return port_;
}

bool Server::Impl::send(std::string_view response) {
    const bool from_loop = std::this_thread::get_id() == loop_thread_.load();
    switch (queue_.push(response, from_loop)) {
        case server::ResponseQueue::Push::queued: return true;
        case server::ResponseQueue::Push::queued_wake: wake_.signal(); return true;
        case server::ResponseQueue::Push::overflow: wake_.signal(); return false;
        case server::ResponseQueue::Push::closed: return false;
    }
    return false;
}

void Server::Impl::serve() {
    loop_thread_ = std::this_thread::get_id();
    while (!stop_requested_) {
        wait_and_handle_events();
    }
    if (client_) {
        queue_.drain_into(output_);
        write_to_client();  // one last non-blocking attempt: stop must stay prompt
        drop_client("server stopping");
    }
    loop_thread_ = std::thread::id{};
    const std::lock_guard lock(state_mutex_);
    listener_.reset();  // from now on new clients are refused at once
    port_ = 0;
    running_ = false;
    log_.info("stopped");
    state_changed_.notify_all();
}

void Server::Impl::wait_and_handle_events() {
    std::array<pollfd, 3> fds{};
    fds[0] = {wake_.fd(), POLLIN, 0};
    fds[1] = {listener_.get(), static_cast<short>(accept_retry_at_ ? 0 : POLLIN), 0};
    nfds_t count = 2;
    if (client_) {
        short events = unwritten() > kPauseReadingAbove ? 0 : POLLIN;
        if (unwritten() > 0) {
            events |= POLLOUT;
        }
        fds[2] = {client_.get(), events, 0};
        count = 3;
    }
    const int ready = ::poll(fds.data(), count, net::poll_timeout(next_deadline()));
    if (ready < 0 && errno != EINTR) {
        log_.info("poll failed: ", std::strerror(errno));
        stop_requested_ = true;
        return;
    }
    if (fds[0].revents != 0) {
        wake_.clear();
    }
    if (stop_requested_) {
        return;
    }
    // The client's input first: a client that sent `disconnect` and connects
    // again at once must find itself gone, not be refused as a second client.
    if (client_ && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        read_from_client();
    }
    if (fds[1].revents != 0) {
        accept_clients();
    }
    check_deadlines();
    if (client_) {
        // Everything the commands just read (or another thread) queued is written before the next wait.
        queue_.drain_into(output_);
        write_to_client();
        if (client_ && queue_.overflowed()) {
            drop_client("more than " + std::to_string(queue_.limit()) + " bytes of responses pending");
        }
    }
}

void Server::Impl::accept_clients() {
    for (;;) {
        net::UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
                log_.info("accept failed: ", std::strerror(errno), "; retrying in ",
                          milliseconds_text(kAcceptRetryDelay));
                accept_retry_at_ = net::deadline_after(kAcceptRetryDelay);
            }
            return;
        }
        if (client_ && unwritten() <= kPauseReadingAbove) {
            // One read returns a client's last bytes, the next its EOF: a client that closed
            // mid-command just before this connection came in must be found gone, not keep the slot.
            read_from_client();
        }
        if (stop_requested_) {
            return;  // a `shutdown` was just read: the newcomer is closed with the listener
        }
        if (client_) {
            if (log_.enabled()) {
                log_.info("refused ", net::peer_name(fd.get()), ": a client is already connected");
            }
            continue;  // closed at once, unread, so it learns it is not served
        }
        net::tune_connection(fd.get());
        client_ = std::move(fd);
        client_name_ = log_.enabled() ? net::peer_name(client_.get()) : std::string();
        framer_.reset();
        output_.clear();
        output_offset_ = 0;
        after_command_ = AfterCommand::go_on;
        last_input_ = net::Clock::now();
        queue_.open();
        log_.info("client connected from ", client_name_);
    }
}

void Server::Impl::read_from_client() {
    const ssize_t got = net::receive_some(client_.get(), read_buffer_.get(), kReadChunk);
    if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            drop_client(std::string("connection error: ") + std::strerror(errno));
        }
        return;
    }
    if (got == 0) {
        drop_client(framer_.has_partial_line() ? "closed mid-command; the partial command is discarded"
                                               : "closed the connection");
        return;
    }
    last_input_ = net::Clock::now();
    const auto status =
        framer_.feed(std::string_view(read_buffer_.get(), static_cast<std::size_t>(got)),
                     [this](std::string_view command, bool is_invalid) { return dispatch(command, is_invalid); });
    if (status == framing::LineFramer::Status::line_too_long) {
        queue_.drain_into(output_);
        write_to_client();
        if (client_) {
            drop_client("command longer than " + std::to_string(config_.max_line_length) + " bytes");
        }
        return;
    }
    const AfterCommand after = std::exchange(after_command_, AfterCommand::go_on);
    if (after == AfterCommand::go_on) {
        return;
    }
    flush_before_close();
    if (client_) {
        drop_client(after == AfterCommand::shutdown ? "sent shutdown" : "sent disconnect");
    }
    if (after == AfterCommand::shutdown) {
        stop_requested_ = true;
    }
}

bool Server::Impl::dispatch(std::string_view command, bool is_invalid) {
    // A command that lost bytes is never taken for a built-in: "pi\xffng" is not "ping".
    switch (is_invalid ? Builtin::none : find_builtin(command)) {
        case Builtin::ping: send("pong"); return true;
        case Builtin::disconnect: after_command_ = AfterCommand::disconnect; return false;
        case Builtin::shutdown: after_command_ = AfterCommand::shutdown; return false;
        case Builtin::none: break;
    }
    run_callback(command, is_invalid);
    // The callback may have stopped the server; the rest of the input then stays unread.
    return !stop_requested_;
}

void Server::Impl::run_callback(std::string_view command, bool is_invalid) {
    try {
        config_.callback(command, is_invalid);
    } catch (const std::exception& error) {
        log_.info("callback threw: ", error.what(), "; serving goes on");
    } catch (...) {
        log_.info("callback threw a non-standard exception; serving goes on");
    }
}

void Server::Impl::write_to_client() {
    bool progressed = false;
    while (client_ && unwritten() > 0) {
        const ssize_t sent = net::send_some(client_.get(), std::string_view(output_).substr(output_offset_));
        if (sent < 0) {
            drop_client(std::string("write failed: ") + std::strerror(errno));
            return;
        }
        if (sent == 0) {
            break;  // the socket buffer is full; poll says when it drains
        }
        output_offset_ += static_cast<std::size_t>(sent);
        progressed = true;
    }
    if (unwritten() == 0) {
        output_.clear();
        output_offset_ = 0;
        output_waiting_since_.reset();
    } else if (progressed || !output_waiting_since_) {
        output_waiting_since_ = net::Clock::now();
    }
    queue_.set_held_by_loop(unwritten());
}

void Server::Impl::flush_before_close() {
    // Responses owed before a disconnect or shutdown are delivered, within the send timeout; stop() cuts it short.
    const net::Deadline deadline = net::deadline_after(config_.send_timeout);
    queue_.drain_into(output_);
    write_to_client();
    while (client_ && unwritten() > 0 && !stop_requested_) {
        std::array<pollfd, 2> fds{{{client_.get(), POLLOUT, 0}, {wake_.fd(), POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), net::poll_timeout(deadline)) == 0) {
            return;
        }
        if (fds[1].revents != 0) {
            wake_.clear();  // a stop (seen by the loop condition) or responses from another thread
            queue_.drain_into(output_);
        }
        write_to_client();
    }
}

void Server::Impl::drop_client(std::string_view reason) {
    queue_.close();
    client_.reset();
    output_.clear();
    output_offset_ = 0;
    output_waiting_since_.reset();
    framer_.reset();
    log_.info("client ", client_name_, " ", reason);
}

net::Deadline Server::Impl::next_deadline() const {
    net::Deadline deadline = accept_retry_at_;
    if (client_ && config_.idle_timeout.count() > 0) {
        deadline = net::earliest(deadline, last_input_ + config_.idle_timeout);
    }
    if (client_ && output_waiting_since_) {
        deadline = net::earliest(deadline, *output_waiting_since_ + config_.send_timeout);
    }
    return deadline;
}

void Server::Impl::check_deadlines() {
    const auto now = net::Clock::now();
    if (accept_retry_at_ && now >= *accept_retry_at_) {
        accept_retry_at_.reset();
    }
    if (client_ && config_.idle_timeout.count() > 0 && now >= last_input_ + config_.idle_timeout) {
        drop_client("sent nothing for " + milliseconds_text(config_.idle_timeout));
    }
    if (client_ && output_waiting_since_ && now >= *output_waiting_since_ + config_.send_timeout) {
        drop_client("read no response for " + milliseconds_text(config_.send_timeout));
    }
}

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Server::~Server() = default;
void Server::listen() { impl_->listen(); }
void Server::start() { impl_->start(); }
void Server::serve_forever() { impl_->serve_forever(); }
void Server::stop() { impl_->stop(); }
bool Server::wait_until_running(std::chrono::milliseconds timeout) const {
    return impl_->wait_for_running(true, timeout);
}
bool Server::wait_until_stopped(std::chrono::milliseconds timeout) const {
    return impl_->wait_for_running(false, timeout);
}
bool Server::running() const { return impl_->running(); }
bool Server::client_connected() const { return impl_->client_connected(); }
std::uint16_t Server::port() const { return impl_->port(); }
bool Server::send(std::string_view response) { return impl_->send(response); }

}  // namespace oneline
