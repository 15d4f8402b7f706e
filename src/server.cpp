#include <oneline/server.hpp>

#include "log/log_sink.hpp"
#include "net/address.hpp"
#include "net/deadline.hpp"
#include "net/port_range.hpp"
#include "net/socket.hpp"
#include "net/socket_io.hpp"
#include "net/wait_set.hpp"
#include "net/unix_path.hpp"
#include "net/wake_event.hpp"
#include "server/client_session.hpp"
#include "server/command_dispatch.hpp"
#include "server/listener_set.hpp"
#include "server/serving_thread.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace oneline {
namespace {

// After accept() fails (e.g. out of descriptors) it is retried after this long, not in a busy loop.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// request_stop() stores to it from a signal handler, which is defined only for lock-free atomics.
static_assert(std::atomic<bool>::is_always_lock_free);

// The wait sets' slots.
constexpr std::size_t kWakeSlot = 0;
constexpr std::size_t kClientSlot = 1;
constexpr std::size_t kFirstListenerSlot = 2;  // then one slot per listener

/// Runs `body`; returns why serving failed when it throws, std::nullopt when it returns.
template <class Body>
std::optional<Error> failure_of(Body&& body) {
    try {
        body();
    } catch (const Error& error) {
        return error;
    } catch (const std::bad_alloc&) {
        return Error(std::make_error_code(std::errc::not_enough_memory), "serving");
    } catch (const std::exception& error) {
        return Error(std::make_error_code(std::errc::state_not_recoverable), error.what());
    }
    return std::nullopt;
}

}  // namespace

std::vector<std::string> ServerConfig::missing_parameters() const {
    std::vector<std::string> missing;
    if (address.empty()) {
        missing.emplace_back("address");
    }
    if (!port && !net::is_unix_address(address)) {
        missing.emplace_back("port");
    }
    if (!callback && !reply_callback) {
        missing.emplace_back("callback");
    }
    return missing;
}

/// The server behind the public Server: its lifecycle (listen, start,
/// serve_forever or serve_once, stop, under state_mutex_) and the serving
/// loop, whose one step (step()) waits on the wake event, the listeners and the
/// client, accepts or refuses newcomers, and moves bytes between the client's
/// session and the command dispatcher. A run of the loop ends in finish_run().
class ONELINE_NO_EXPORT Server::Impl {
public:
    explicit Impl(ServerConfig config)
        : config_(std::move(config)),
          log_(config_.logger, config_.verbose, "oneline srvr: "),
          session_(config_, log_),
          commands_(config_, session_.responses(), stop_requested_, log_) {
        commands_.use_faults(session_.faults() != nullptr ? &session_ : nullptr);
    }

    ~Impl() { stop(); }

    void listen();
    void start();
    void serve_forever();
    ServeStatus serve_once(std::chrono::milliseconds timeout);
    int wait_descriptor();
    void stop();
    void request_stop() noexcept {
        stop_requested_ = true;  // seen by the loop once the wake makes it look
        wake_.signal();
    }
    bool wait_for_running(bool wanted, std::chrono::milliseconds timeout) const;
    bool running() const;
    std::optional<Error> failure() const;
    std::uint16_t port() const;
    std::vector<std::string> endpoints() const;
    bool send(std::string_view response);
    bool client_connected() const { return session_.responses().is_open(); }

private:
    void listen_locked();
    void begin_serving_locked(std::unique_lock<std::mutex>& lock);
    void serve();
    /// Ends a run: closes the client (one last non-blocking write first), marks the server stopped
    /// with `failure`, and lets a new run begin. On the loop's thread, or by stop() between two
    /// steps of serve_once (with step_mutex_ held).
    void finish_run(std::optional<Error> failure);
    /// Ends a serve_once run from outside the loop, between two steps; the next step reports it.
    void end_stepping_run();
    /// Closes the listener and turns running() false, keeping `failure` when serving failed.
    void mark_stopped(std::optional<Error> failure = std::nullopt);
    /// One pass of the serving loop: waits for events until the next deadline or `wait_until`,
    /// whichever comes first, and handles them.
    void step(net::Deadline wait_until);
    /// Makes the wait set (when there is one) watch what the next step would wait for.
    void update_wait_set();
    /// Makes `set` watch the listeners and the client for what the next step waits for;
    /// `listener_slots` is how many listener slots it watched last, and becomes how many now.
    void watch_sockets(net::WaitSet& set, std::size_t& listener_slots);
    /// Waits for what `fds` want (the wake event, the listeners, then the client at `client` if any)
    /// until `deadline`, and sets their `ready`. Throws Error when waiting fails.
    void wait_for_events(std::vector<net::PollEntry>& fds, std::size_t client, net::Deadline deadline);
    /// Gives the loop its own wait set where the platform has one, kept from run to run.
    void make_loop_wait_set() noexcept;
    /// Accepts from each listener that `ready` (its poll entries, in order) says is readable.
    void accept_clients(const net::PollEntry* ready);
    void accept_from(net::NativeSocket listener);
    void read_from_client();
    net::Deadline next_deadline() const;
    void check_deadlines();

    ServerConfig config_;
    log::LogSink log_;

    // Lifecycle, guarded by state_mutex_.
    mutable std::mutex state_mutex_;
    mutable std::condition_variable state_changed_;
    server::ListenerSet listeners_;
    bool running_ = false;          // accepting and serving; false already while a run closes its client
    bool loop_active_ = false;      // the serving loop, or what follows it, still uses the session
    bool stepping_ = false;         // the run is serve_once's: the session waits between its calls
    bool stop_unreported_ = false;  // stop() ended a serve_once run; the next call says so
    std::uint64_t runs_ = 0;        // tells listeners apart in the wait set
    std::optional<Error> failure_;
    std::thread thread_;

    // Held through each serve_once call, and by whatever touches the loop's state between calls.
    std::mutex step_mutex_;
    std::optional<net::WaitSet> wait_set_;  // made by wait_descriptor(); guarded by step_mutex_

    std::atomic<bool> stop_requested_{false};
    std::atomic<std::thread::id> loop_thread_{};
    net::WakeEvent wake_;

    // Owned by the serving loop's thread, except the session's response queue (see send()).
    server::ClientSession session_;
    server::CommandDispatcher commands_;  // answers into session_'s responses: declared after it
    std::uint64_t connections_ = 0;       // tells clients apart in the wait set
    net::Deadline accept_retry_at_;
    std::vector<net::PollEntry> poll_entries_;
    std::size_t listener_slots_ = 0;  // how many listener slots the wait set watched last
    // The loop's own wait: its sockets stay registered from one wait to the next, so a step costs
    // one system call to wait where poll() registers and unregisters each socket every time.
    std::optional<net::WaitSet> loop_waits_;
    std::size_t loop_listener_slots_ = 0;
    std::vector<short> loop_ready_;
};

void Server::Impl::listen() {
    const std::lock_guard lock(state_mutex_);
    listen_locked();
}

void Server::Impl::listen_locked() {
    if (listeners_.is_open()) {
        return;
    }
    if (auto missing = config_.missing_parameters(); !missing.empty()) {
        throw MissingParameters(std::move(missing));
    }
    if (config_.callback && config_.reply_callback) {
        throw Error(std::make_error_code(std::errc::invalid_argument),
                    "both callback and reply_callback are set; set one of them");
    }
    if (const std::string problem = config_.faults.problem(); !problem.empty()) {
        throw Error(std::make_error_code(std::errc::invalid_argument), "faults: " + problem);
    }
    if (net::is_unix_address(config_.address)) {
        listeners_.open_unix(net::unix_path(config_.address), config_.unix_mode, config_.allow);
    } else {
        listeners_.open(config_.address, net::checked_port(*config_.port), config_.allow);
    }
    log_.info("listening on ", listeners_.endpoints_text());
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
    stop_unreported_ = false;
    wake_.clear();
    failure_.reset();
    ++runs_;
    running_ = true;
    loop_active_ = true;
}

void Server::Impl::start() {
    std::unique_lock lock(state_mutex_);
    const bool was_listening = listeners_.is_open();
    begin_serving_locked(lock);
    try {
        thread_ = server::start_serving_thread([this] { serve(); });
    } catch (const std::system_error& error) {
        // Nobody saw the server running (the lock is held throughout): put it back as it was.
        running_ = false;
        loop_active_ = false;
        if (!was_listening) {
            listeners_.close();
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

ServeStatus Server::Impl::serve_once(std::chrono::milliseconds timeout) {
    if (std::this_thread::get_id() == loop_thread_.load()) {
        throw Error(std::make_error_code(std::errc::operation_in_progress), "serve_once called from the callback");
    }
    const std::lock_guard step_lock(step_mutex_);
    {
        std::unique_lock lock(state_mutex_);
        if (std::exchange(stop_unreported_, false)) {
            wake_.clear();  // the stop's wake: a host that keeps waiting on the descriptor must not spin
            return ServeStatus::stopped;
        }
        if (!stepping_) {
            begin_serving_locked(lock);  // throws while start() or serve_forever() serves
            stepping_ = true;
            state_changed_.notify_all();
        }
    }
    loop_thread_ = std::this_thread::get_id();
    std::optional<Error> failure = failure_of([&] {
        if (!stop_requested_) {
            step(net::deadline_after(timeout));
        }
        if (!stop_requested_) {
            update_wait_set();
        }
    });
    if (!failure && !stop_requested_) {
        loop_thread_ = std::thread::id{};
        return ServeStatus::serving;
    }
    finish_run(failure);
    wake_.clear();
    if (failure) {
        throw Error(*failure);
    }
    return ServeStatus::stopped;
}

int Server::Impl::wait_descriptor() {
    if (std::this_thread::get_id() == loop_thread_.load()) {
        // From the callback, inside a step: the step's lock is this thread's own.
        if (!wait_set_) {
            throw Error(std::make_error_code(std::errc::operation_in_progress),
                        "wait_descriptor first called from the callback");
        }
        return static_cast<int>(wait_set_->fd());
    }
    const std::lock_guard step_lock(step_mutex_);
    if (!wait_set_) {
        net::WaitSet& set = wait_set_.emplace();
        set.watch(kWakeSlot, wake_.fd(), net::kReadable, 0);
        bool stepping = false;
        {
            const std::lock_guard lock(state_mutex_);
            stepping = stepping_;
        }
        if (stepping) {
            update_wait_set();
        } else {
            set.set_deadline(net::Clock::now());  // readable at once: the first serve_once begins the run
        }
    }
    return static_cast<int>(wait_set_->fd());
}

void Server::Impl::update_wait_set() {
    if (!wait_set_) {
        return;
    }
    wait_set_->collect();
    watch_sockets(*wait_set_, listener_slots_);
    wait_set_->set_deadline(next_deadline());
}

void Server::Impl::watch_sockets(net::WaitSet& set, std::size_t& listener_slots) {
    const short accepting = accept_retry_at_ ? short{0} : short{net::kReadable};
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        set.watch(kFirstListenerSlot + i, listeners_.socket(i), accepting, runs_);
    }
    for (std::size_t i = listeners_.size(); i < listener_slots; ++i) {
        set.watch(kFirstListenerSlot + i, net::kNoSocket, 0, 0);  // a listener of an earlier run
    }
    listener_slots = listeners_.size();
    set.watch(kClientSlot, session_.fd(), session_.connected() ? session_.poll_events() : short{0}, connections_);
}

void Server::Impl::make_loop_wait_set() noexcept {
    if (loop_waits_) {
        return;
    }
    try {
        loop_waits_.emplace().watch(kWakeSlot, wake_.fd(), net::kReadable, 0);
    } catch (const std::exception&) {  // oneline::Error or std::bad_alloc
        loop_waits_.reset();           // none here (Windows, no kqueue) or no room for one: the loop polls
    }
}

void Server::Impl::wait_for_events(std::vector<net::PollEntry>& fds, std::size_t client, net::Deadline deadline) {
    // A client watched for nothing (a fault stalled it, or only held responses wait) must still be
    // seen hanging up: poll reports that for any entry, a wait set only for what it watches.
    if (!loop_waits_ || (session_.connected() && fds[client].wanted == 0)) {
        if (net::wait_any(fds.data(), fds.size(), deadline) < 0) {
            throw Error(net::last_error(), "waiting for events (poll)");
        }
        return;
    }
    watch_sockets(*loop_waits_, loop_listener_slots_);  // a system call only for what changed
    if (loop_waits_->wait(deadline, loop_ready_) < 0) {
        throw Error(net::last_error(), "waiting for events (wait set)");
    }
    const auto ready_in = [this](std::size_t slot) { return slot < loop_ready_.size() ? loop_ready_[slot] : short{0}; };
    fds[0].ready = ready_in(kWakeSlot);
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        fds[1 + i].ready = ready_in(kFirstListenerSlot + i);
    }
    if (session_.connected()) {
        fds[client].ready = ready_in(kClientSlot);
    }
}

void Server::Impl::stop() {
    std::unique_lock lock(state_mutex_);
    const bool from_loop = std::this_thread::get_id() == loop_thread_.load();
    if (!running_) {
        listeners_.close();  // listening but never served, or already stopped
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
    if (stepping_) {
        lock.unlock();
        end_stepping_run();
        return;
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
    return listeners_.port();
}

std::vector<std::string> Server::Impl::endpoints() const {
    const std::lock_guard lock(state_mutex_);
    return listeners_.endpoints();
}

bool Server::Impl::send(std::string_view response) {
    const bool from_loop = std::this_thread::get_id() == loop_thread_.load();
    if (from_loop && session_.intercepts_responses()) {
        return session_.hold_response(response);  // faults are on: the command's responses go through them
    }
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

void Server::Impl::end_stepping_run() {
    const std::lock_guard step_lock(step_mutex_);  // a step under way sees the stop and returns promptly
    {
        const std::lock_guard lock(state_mutex_);
        if (!stepping_) {
            return;  // the step ended the run, and reports it
        }
    }
    finish_run(std::nullopt);
    const std::lock_guard lock(state_mutex_);
    stop_unreported_ = true;  // the host's loop learns it from its next serve_once
}

void Server::Impl::serve() {
    loop_thread_ = std::this_thread::get_id();
    make_loop_wait_set();
    finish_run(failure_of([this] {
        while (!stop_requested_) {
            step(std::nullopt);
        }
    }));
}

void Server::Impl::finish_run(std::optional<Error> failure) {
    if (failure) {
        log_.info("serving failed: ", failure->what());
    }
    if (session_.connected()) {
        session_.send_queued();  // one last non-blocking attempt: stop must stay prompt
        session_.drop("server stopping");
    }
    mark_stopped(std::move(failure));
    if (wait_set_) {
        try {
            update_wait_set();  // the closed sockets leave it; the wake stays, so a stop is seen
            wait_set_->set_deadline(std::nullopt);
        } catch (const Error& error) {
            log_.info("wait descriptor not updated: ", error.what());
        }
    }
    loop_thread_ = std::thread::id{};
    const std::lock_guard lock(state_mutex_);
    loop_active_ = false;
    stepping_ = false;
    log_.info("stopped");
    state_changed_.notify_all();
}

void Server::Impl::mark_stopped(std::optional<Error> failure) {
    const std::lock_guard lock(state_mutex_);
    if (failure) {
        failure_ = std::move(failure);  // with running_: whoever sees the server stopped sees why
    }
    if (running_) {
        listeners_.close();  // from now on new clients are refused at once
        running_ = false;
        state_changed_.notify_all();
    }
}

void Server::Impl::step(net::Deadline wait_until) {
    // Entries: the wake event, each listener, then the client if any. The vector keeps its
    // capacity: it allocates only in the first wait after listening on more addresses.
    std::vector<net::PollEntry>& fds = poll_entries_;
    fds.clear();
    fds.push_back({wake_.fd(), net::kReadable, 0});
    listeners_.add_poll_entries(fds, static_cast<short>(accept_retry_at_ ? 0 : net::kReadable));
    const std::size_t client = fds.size();
    if (session_.connected()) {
        fds.push_back({session_.fd(), session_.poll_events(), 0});
    }
    wait_for_events(fds, client, net::earliest(next_deadline(), wait_until));
    if (fds[0].ready != 0) {
        wake_.clear();
    }
    if (stop_requested_) {
        return;
    }
    if (session_.connected()) {
        session_.drop_if_gone(fds[client].ready);
    }
    // The client's input first: a client that sent `disconnect` and connects again at once must
    // find itself gone, not be refused as a second client. Commands read earlier and held back by
    // backpressure run as soon as the backlog allows, without waiting for more input.
    if (session_.connected() &&
        ((fds[client].ready & (net::kReadable | net::kHungUp | net::kFailed)) != 0 || session_.has_runnable_input())) {
        read_from_client();
    }
    accept_clients(fds.data() + 1);
    check_deadlines();
    if (session_.connected()) {
        // Everything the commands just read (or another thread) queued is written before the next wait.
        session_.send_queued();
        session_.drop_if_overflowed();
    }
}

void Server::Impl::accept_clients(const net::PollEntry* ready) {
    for (std::size_t i = 0; i < listeners_.size() && !stop_requested_; ++i) {
        if (ready[i].ready != 0) {
            accept_from(listeners_.socket(i));
        }
    }
}

void Server::Impl::accept_from(net::NativeSocket listener) {
    for (;;) {
        net::Socket fd = net::accept_connection(listener);
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
        if (!listeners_.admits(fd.get())) {
            if (log_.enabled()) {
                log_.info("refused ", net::peer_name(fd.get()), ": not on the allow-list");
            }
            continue;  // closed at once, unread, as a second client is
        }
        if (session_.connected()) {
            if (log_.enabled()) {
                log_.info("refused ", net::peer_name(fd.get()), ": a client is already connected");
            }
            continue;  // closed at once, unread, so it learns it is not served
        }
        session_.connect(std::move(fd));
        ++connections_;
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
ServeStatus Server::serve_once(std::chrono::milliseconds timeout) { return impl_->serve_once(timeout); }
int Server::wait_descriptor() { return impl_->wait_descriptor(); }
void Server::stop() { impl_->stop(); }
void Server::request_stop() noexcept { impl_->request_stop(); }
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
std::vector<std::string> Server::endpoints() const { return impl_->endpoints(); }
bool Server::send(std::string_view response) { return impl_->send(response); }

}  // namespace oneline
