#include <oneline/server.hpp>

#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/deadline.hpp"
#include "net/socket.hpp"
#include "net/socket_io.hpp"
#include "net/unix_path.hpp"
#include "net/unix_socket.hpp"
#include "net/wake_event.hpp"
#include "server/client_session.hpp"
#include "server/command_dispatch.hpp"
#include "server/serving_thread.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace oneline {
namespace {

// After accept() fails (e.g. out of descriptors) it is retried after this long, not in a busy loop.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

std::vector<std::string> ServerConfig::missing_parameters() const {
    std::vector<std::string> missing;
    if (address.empty()) {
        missing.emplace_back("address");
    }
    if (!port && !net::is_unix_address(address)) {
        missing.emplace_back("port");
    }
    if (!callback) {
        missing.emplace_back("callback");
    }
    return missing;
}

/// The server behind the public Server: its lifecycle (listen, start or
/// serve_forever, stop, under state_mutex_) and the serving loop, which polls
/// the wake event, the listener and the client, accepts or refuses newcomers,
/// and moves bytes between the client's session and the command dispatcher.
class Server::Impl {
public:
    explicit Impl(ServerConfig config)
        : config_(std::move(config)),
          log_(config_.logger, config_.verbose, "oneline srvr: "),
          commands_(
              config_.callback, [this](std::string_view response) { return send(response); }, stop_requested_, log_),
          session_(config_, log_) {}

    ~Impl() { stop(); }

    void listen();
    void start();
    void serve_forever();
    void stop();
    bool wait_for_running(bool wanted, std::chrono::milliseconds timeout) const;
    bool running() const;
    std::optional<Error> failure() const;
    std::uint16_t port() const;
    bool send(std::string_view response);
    bool client_connected() const { return session_.responses().is_open(); }

private:
    void listen_locked();
    void close_listener_locked();
    void begin_serving_locked(std::unique_lock<std::mutex>& lock);
    void serve();
    /// Closes the listener and turns running() false, keeping `failure` when serving failed.
    void mark_stopped(std::optional<Error> failure = std::nullopt);
    void wait_and_handle_events();
    void accept_clients();
    void read_from_client();
    net::Deadline next_deadline() const;
    void check_deadlines();

    ServerConfig config_;
    log::LogSink log_;

    // Lifecycle, guarded by state_mutex_.
    mutable std::mutex state_mutex_;
    mutable std::condition_variable state_changed_;
    net::Socket listener_;
    net::UnixSocketFile socket_file_;  // a "unix:PATH" listener's file, removed with the listener
    std::uint16_t port_ = 0;
    bool running_ = false;      // accepting and serving; false already while a run closes its client
    bool loop_active_ = false;  // the serving loop, or what follows it, still uses the session
    std::optional<Error> failure_;
    std::thread thread_;

    std::atomic<bool> stop_requested_{false};
    std::atomic<std::thread::id> loop_thread_{};
    net::WakeEvent wake_;

    // Owned by the serving loop's thread, except the session's response queue (see send()).
    server::CommandDispatcher commands_;
    server::ClientSession session_;
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
    if (net::is_unix_address(config_.address)) {
        net::UnixListener bound = net::listen_unix(net::unix_path(config_.address), config_.unix_mode);
        listener_ = std::move(bound.socket);
        socket_file_ = std::move(bound.file);
    } else {
        listener_ = net::listen_tcp(config_.address, *config_.port);
    }
    port_ = net::local_port(listener_.get());
    log_.info("listening on ", net::describe(config_.address, port_));
}

void Server::Impl::close_listener_locked() {
    socket_file_.reset();  // first, so that the path never names a closed socket of this server
    listener_.reset();
    port_ = 0;
}

void Server::Impl::begin_serving_locked(std::unique_lock<std::mutex>& lock) {
    if (running_) {
        throw Error(std::make_error_code(std::errc::operation_in_progress), "server is already running");
    }
    // A run that ended by `shutdown` is marked stopped before it closes its client: let it finish.
    state_changed_.wait(lock, [this] { return !loop_active_; });
    if (thread_.joinable()) {
        thread_.join();  // a previous run that ended by itself; its loop is done
    }
    listen_locked();
    stop_requested_ = false;
    wake_.clear();
    failure_.reset();
    running_ = true;
    loop_active_ = true;
}

void Server::Impl::start() {
    std::unique_lock lock(state_mutex_);
    const bool was_listening = static_cast<bool>(listener_);
    begin_serving_locked(lock);
    try {
        thread_ = server::start_serving_thread([this] { serve(); });
    } catch (const std::system_error& error) {
        // Nobody saw the server running (the lock is held throughout): put it back as it was.
        running_ = false;
        loop_active_ = false;
        if (!was_listening) {
            close_listener_locked();
        }
        throw Error(error.code(), "cannot start the serving thread");
    }
    state_changed_.notify_all();
}

void Server::Impl::serve_forever() {
    {
        std::unique_lock lock(state_mutex_);
        begin_serving_locked(lock);
        state_changed_.notify_all();
    }
    serve();
    if (auto failure = this->failure()) {
        throw Error(*failure);  // a copy: the stored one stays for failure()
    }
}

void Server::Impl::stop() {
    std::unique_lock lock(state_mutex_);
    const bool from_loop = std::this_thread::get_id() == loop_thread_.load();
    if (!running_) {
        close_listener_locked();  // listening but never served, or already stopped
        if (from_loop) {
            return;
        }
        state_changed_.wait(lock, [this] { return !loop_active_; });  // a run still closing its client
        std::thread finished = std::move(thread_);
        lock.unlock();
        if (finished.joinable()) {
            finished.join();
        }
        return;
    }
    stop_requested_ = true;
    wake_.signal();
    if (from_loop) {
        return;  // called from the callback: the loop ends once it returns
    }
    std::thread serving = std::move(thread_);
    if (serving.joinable()) {
        lock.unlock();
        serving.join();
    } else {
        state_changed_.wait(lock, [this] { return !loop_active_; });  // serve_forever in another thread
    }
}

bool Server::Impl::wait_for_running(bool wanted, std::chrono::milliseconds timeout) const {
    const auto reached = [&] { return running_ == wanted; };
    const net::Deadline deadline = net::deadline_after(timeout);  // saturated: a huge timeout waits forever
    std::unique_lock lock(state_mutex_);
    if (!deadline) {
        state_changed_.wait(lock, reached);
        return true;
    }
    return state_changed_.wait_until(lock, *deadline, reached);
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
    switch (session_.responses().push(response, from_loop)) {
        case server::ResponseQueue::Push::queued: return true;
        case server::ResponseQueue::Push::queued_wake: wake_.signal(); return true;
        case server::ResponseQueue::Push::overflow: wake_.signal(); return false;
        case server::ResponseQueue::Push::closed: return false;
    }
    return false;
}

std::optional<Error> Server::Impl::failure() const {
    const std::lock_guard lock(state_mutex_);
    return failure_;
}

void Server::Impl::serve() {
    loop_thread_ = std::this_thread::get_id();
    std::optional<Error> failure;
    try {
        while (!stop_requested_) {
            wait_and_handle_events();
        }
    } catch (const Error& error) {
        failure = error;
    } catch (const std::bad_alloc&) {
        failure = Error(std::make_error_code(std::errc::not_enough_memory), "serving");
    } catch (const std::exception& error) {
        failure = Error(std::make_error_code(std::errc::state_not_recoverable), error.what());
    }
    if (failure) {
        log_.info("serving failed: ", failure->what());
    }
    if (session_.connected()) {
        session_.send_queued();  // one last non-blocking attempt: stop must stay prompt
        session_.drop("server stopping");
    }
    mark_stopped(std::move(failure));
    loop_thread_ = std::thread::id{};
    const std::lock_guard lock(state_mutex_);
    loop_active_ = false;
    log_.info("stopped");
    state_changed_.notify_all();
}

void Server::Impl::mark_stopped(std::optional<Error> failure) {
    const std::lock_guard lock(state_mutex_);
    if (failure) {
        failure_ = std::move(failure);  // with running_: whoever sees the server stopped sees why
    }
    if (running_) {
        close_listener_locked();  // from now on new clients are refused at once
        running_ = false;
        state_changed_.notify_all();
    }
}

void Server::Impl::wait_and_handle_events() {
    std::array<net::PollEntry, 3> fds{};
    fds[0] = {wake_.fd(), net::kReadable, 0};
    fds[1] = {listener_.get(), static_cast<short>(accept_retry_at_ ? 0 : net::kReadable), 0};
    std::size_t count = 2;
    if (session_.connected()) {
        fds[2] = {session_.fd(), session_.poll_events(), 0};
        count = 3;
    }
    if (net::wait_any(fds.data(), count, next_deadline()) < 0) {
        throw Error(net::last_error(), "waiting for events (poll)");
    }
    if (fds[0].ready != 0) {
        wake_.clear();
    }
    if (stop_requested_) {
        return;
    }
    // The client's input first: a client that sent `disconnect` and connects again at once must
    // find itself gone, not be refused as a second client. Commands read earlier and held back by
    // backpressure run as soon as the backlog allows, without waiting for more input.
    if (session_.connected() &&
        ((fds[2].ready & (net::kReadable | net::kHungUp | net::kFailed)) != 0 || session_.has_runnable_input())) {
        read_from_client();
    }
    if (fds[1].ready != 0) {
        accept_clients();
    }
    check_deadlines();
    if (session_.connected()) {
        // Everything the commands just read (or another thread) queued is written before the next wait.
        session_.send_queued();
        session_.drop_if_overflowed();
    }
}

void Server::Impl::accept_clients() {
    for (;;) {
        net::Socket fd = net::accept_connection(listener_.get());
        if (!fd) {
            const std::error_code error = net::last_error();
            if (!net::would_block(error) && error != std::errc::connection_aborted) {
                log_.info("accept failed: ", error.message(), "; retrying in ",
                          std::to_string(kAcceptRetryDelay.count()), " ms");
                accept_retry_at_ = net::deadline_after(kAcceptRetryDelay);
            }
            return;
        }
        if (session_.connected() && !session_.reading_paused()) {
            // One read returns a client's last bytes, the next its EOF: a client that closed
            // mid-command just before this connection came in must be found gone, not keep the slot.
            read_from_client();
        }
        if (stop_requested_) {
            return;  // a `shutdown` was just read: the newcomer is closed with the listener
        }
        if (session_.connected()) {
            if (log_.enabled()) {
                log_.info("refused ", net::peer_name(fd.get()), ": a client is already connected");
            }
            continue;  // closed at once, unread, so it learns it is not served
        }
        session_.connect(std::move(fd));
    }
}

void Server::Impl::read_from_client() {
    session_.read_commands(commands_);
    const server::AfterCommands after = commands_.take_request();
    if (after == server::AfterCommands::go_on) {
        return;
    }
    session_.flush_before_close(wake_, stop_requested_);
    if (after == server::AfterCommands::shutdown) {
        stop_requested_ = true;
        mark_stopped();  // before the close: a client that sees it may start a new server at once
    }
    if (session_.connected()) {
        session_.close_gracefully(after == server::AfterCommands::shutdown ? "sent shutdown" : "sent disconnect");
    }
}

net::Deadline Server::Impl::next_deadline() const {
    if (session_.connected() && session_.has_runnable_input()) {
        return net::Clock::now();  // commands held back by backpressure can run now: do not wait
    }
    return net::earliest(accept_retry_at_, session_.next_deadline());
}

void Server::Impl::check_deadlines() {
    const auto now = net::Clock::now();
    if (accept_retry_at_ && now >= *accept_retry_at_) {
        accept_retry_at_.reset();
    }
    session_.check_deadlines(now);
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
std::optional<Error> Server::failure() const { return impl_->failure(); }
bool Server::client_connected() const { return impl_->client_connected(); }
std::uint16_t Server::port() const { return impl_->port(); }
bool Server::send(std::string_view response) { return impl_->send(response); }

}  // namespace oneline
