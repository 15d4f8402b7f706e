#include "server/client_session.hpp"

#include "net/address.hpp"
#include "net/socket_io.hpp"

#include <array>
#include <new>
#include <utility>

namespace oneline::server {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Above this many unwritten response bytes the server stops reading commands,
// so a client that pipelines without reading is slowed down, not buffered for.
constexpr std::size_t kPauseReadingAbove = 1024 * 1024;
// At most this much unread input is discarded before a graceful close; a client still streaming
// past it gets the reset it asked for.
constexpr std::size_t kDiscardBeforeClose = 4 * kReadChunk;

framing::FramerOptions framer_options(const ServerConfig& config) {
    framing::FramerOptions options;
    options.max_line_length = config.max_line_length;
    options.keep_cr = config.keep_cr;
    options.byte_rule = config.decoding == Decoding::utf8 ? framing::ByteRule::utf8 : framing::ByteRule::ascii;
    return options;
}

std::string milliseconds_text(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

}  // namespace

ClientSession::ClientSession(const ServerConfig& config, const log::LogSink& log)
    : config_(config),
      log_(log),
      framer_(framer_options(config)),
      faults_(config.faults.enabled() ? std::make_unique<fault::FaultInjector>(config.faults, log) : nullptr),
      queue_(config.max_pending_output),
      read_buffer_(new char[kReadChunk]) {}

short ClientSession::poll_events() const noexcept {
    if (stalled_) {
        return 0;  // hang-ups and failures are still reported
    }
    const bool reading =
        !reading_paused() && !input_ended_ && unrun_input_.empty() && fault_ending() == fault::Ending::none;
    short events = reading ? net::kReadable : 0;
    if (unwritten() > 0) {
        events |= net::kWritable;
    }
    return events;
}

bool ClientSession::reading_paused() const noexcept {
    // Responses a fault holds count too: they are owed, and are written once their time comes.
    return unwritten() + held_bytes() > kPauseReadingAbove;
}

void ClientSession::connect(net::Socket socket) {
    net::tune_connection(socket.get(), config_.user_timeout);
    socket_ = std::move(socket);
    name_ = log_.enabled() ? net::peer_name(socket_.get()) : std::string();
    framer_.reset();
    output_.clear();
    output_offset_ = 0;
    unrun_input_ = {};
    input_ended_ = false;
    last_input_ = net::Clock::now();
    queue_.open();
    log_.info("client connected from ", name_);
    if (faults_) {
        faults_->connect();
        faults_overflowed_ = false;
        stalled_ = false;
    }
}

void ClientSession::read_commands(CommandDispatcher& dispatcher) {
    if (fault_ending() != fault::Ending::none) {
        return;  // a fault ends this connection: its input is not read any more
    }
    try {
        if (unrun_input_.empty() && !receive()) {
            return;
        }
        run_commands(dispatcher);
    } catch (const std::bad_alloc&) {
        drop("dropped: out of memory for its commands or responses");
    }
}

bool ClientSession::receive() {
    if (input_ended_) {
        return false;
    }
    const std::ptrdiff_t got = net::receive_some(socket_.get(), read_buffer_.get(), kReadChunk);
    if (got < 0) {
        if (const std::error_code error = net::last_error(); !net::would_block(error)) {
            drop("connection error: " + error.message());
        }
        return false;
    }
    if (got == 0) {
        end_of_input();
        return false;
    }
    last_input_ = net::Clock::now();
    unrun_input_ = std::string_view(read_buffer_.get(), static_cast<std::size_t>(got));
    return true;
}

void ClientSession::end_of_input() {
    const bool mid_command = framer_.has_partial_line();
    framer_.reset();
    if (backlog() == 0) {
        drop(mid_command ? "closed mid-command; the partial command is discarded" : "closed the connection");
        return;
    }
    // A half-close (`nc -N`, shutdown(SHUT_WR)) still wants the answers to what it sent.
    input_ended_ = true;
    log_.info("client ", name_,
              mid_command ? " half-closed mid-command (the partial command is discarded)" : " half-closed",
              "; writing the responses owed first");
}

void ClientSession::run_commands(CommandDispatcher& dispatcher) {
    bool dispatcher_stopped = false;
    const auto run_one = [&](std::string_view command, bool is_invalid) {
        if (!dispatcher.dispatch(command, is_invalid)) {
            dispatcher_stopped = true;
            return false;
        }
        // Backpressure between two commands of one read: the rest waits in the buffer until the
        // client has read enough, so pipelined commands with large responses slow it down instead
        // of piling responses up to the pending-output limit.
        return backlog() <= kPauseReadingAbove;
    };
    while (connected() && !unrun_input_.empty() && !reading_paused()) {
        const auto status = framer_.feed_some(unrun_input_, run_one);
        if (status == framing::LineFramer::Status::line_too_long) {
            unrun_input_ = {};
            send_queued();
            if (connected()) {
                drop("command longer than " + std::to_string(config_.max_line_length) + " bytes");
            }
            return;
        }
        if (dispatcher_stopped) {
            if (fault_ending() != fault::Ending::none) {
                unrun_input_ = {};  // what came after the fault's last command is never run
            }
            return;  // the loop acts on disconnect, shutdown or stop; the rest stays unread
        }
        if (status == framing::LineFramer::Status::stopped) {
            send_queued();  // the backlog passed the threshold: write what the socket takes now
        }
    }
}

void ClientSession::send_queued() {
    if (!connected() || stalled_) {
        return;
    }
    try {
        if (output_offset_ > 0 && output_offset_ >= unwritten()) {
            // Forget the written bytes before appending, so that a client that reads steadily but never
            // lets the output drain completely cannot make the buffer keep everything ever sent to it.
            // Only when the written part is the larger one: each byte moves at most once on average.
            output_.erase(0, output_offset_);
            output_offset_ = 0;
        }
        queue_.drain_into(output_);
        release_held();
    } catch (const std::bad_alloc&) {
        drop("dropped: out of memory for its responses");
        return;
    }
    write();
    if (connected() && all_written()) {
        if (fault_ending() != fault::Ending::none) {
            end_by_fault();
        } else if (input_ended_) {
            drop("closed the connection after its responses were written");
        }
    }
}

bool ClientSession::hold_response(std::string_view response) {
    if (!connected()) {
        return false;
    }
    if (!faults_ || !faults_->take(response, queue_.limit())) {
        faults_overflowed_ = true;
        return false;
    }
    return true;
}

void ClientSession::release_held() {
    if (holding()) {
        faults_->release_due(net::Clock::now(), output_);
    }
}

void ClientSession::end_by_fault() {
    switch (fault_ending()) {
        case fault::Ending::close: close_gracefully("closed by a fault (close-after)"); break;
        case fault::Ending::reset:
            net::reset_on_close(socket_.get());
            drop("reset by a fault (reset-after)");
            break;
        case fault::Ending::stall:
            if (!stalled_) {
                stalled_ = true;
                log_.info("client ", name_, " stalled by a fault (stall-after): nothing more is read or written");
            }
            break;
        case fault::Ending::none: break;
    }
}

void ClientSession::drop_if_gone(short ready) {
    if (connected() && fault_ending() != fault::Ending::none && (ready & (net::kHungUp | net::kFailed)) != 0) {
        drop("went away");
    }
}

void ClientSession::drop_if_overflowed() {
    if (connected() && (queue_.overflowed() || faults_overflowed_)) {
        drop("more than " + std::to_string(queue_.limit()) + " bytes of responses pending");
    }
}

void ClientSession::write() {
    bool progressed = false;
    while (connected() && unwritten() > 0) {
        const std::ptrdiff_t sent = net::send_some(socket_.get(), std::string_view(output_).substr(output_offset_));
        if (sent < 0) {
            drop("write failed: " + net::last_error().message());
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

void ClientSession::flush_before_close(net::WakeEvent& wake, const std::atomic<bool>& stop_requested) {
    // Responses owed before a disconnect or shutdown are delivered, within the send timeout; stop() cuts it short.
    const net::Deadline deadline = net::deadline_after(config_.send_timeout);
    send_queued();
    while (connected() && !all_written() && !stop_requested) {
        const short wanted = unwritten() > 0 ? short{net::kWritable} : short{0};  // else only held responses wait
        std::array<net::PollEntry, 2> fds{{{socket_.get(), wanted, 0}, {wake.fd(), net::kReadable, 0}}};
        const int ready = net::wait_any(fds.data(), fds.size(),
                                        net::earliest(deadline, holding() ? faults_->next_release() : std::nullopt));
        if (ready < 0 || net::expired(deadline, net::Clock::now())) {
            return;  // the send timeout ran out, or waiting failed: close with what was written
        }
        if (wanted == 0 && (fds[0].ready & (net::kHungUp | net::kFailed)) != 0) {
            drop("went away while its responses were held");  // else the hang-up would wake this loop at once, again
            return;
        }
        try {
            if (fds[1].ready != 0) {
                wake.clear();  // a stop (seen by the loop condition) or responses from another thread
                queue_.drain_into(output_);
            }
            release_held();
        } catch (const std::bad_alloc&) {
            drop("dropped: out of memory for its responses");
            return;
        }
        write();
    }
}

void ClientSession::drop(std::string_view reason) {
    queue_.close();
    if (faults_) {
        faults_->clear();
    }
    stalled_ = false;
    socket_.reset();
    output_.clear();
    output_offset_ = 0;
    output_waiting_since_.reset();
    framer_.reset();
    unrun_input_ = {};
    input_ended_ = false;
    log_.info("client ", name_, " ", reason);
}

void ClientSession::close_gracefully(std::string_view reason) {
    // A close with unread input makes the kernel send a reset, which may discard responses still in
    // flight to the client; with the input drained the close ends the stream with a FIN after them.
    for (std::size_t discarded = 0; connected() && discarded < kDiscardBeforeClose;) {
        const std::ptrdiff_t got = net::receive_some(socket_.get(), read_buffer_.get(), kReadChunk);
        if (got <= 0) {
            break;
        }
        discarded += static_cast<std::size_t>(got);
    }
    drop(reason);
}

net::Deadline ClientSession::idle_deadline() const {
    // While its input is not read (backpressure), or once it has ended (half-close), nothing says
    // the client is idle; the send timeout judges it then.
    if (!connected() || config_.idle_timeout.count() <= 0 || reading_paused() || input_ended_) {
        return std::nullopt;
    }
    return net::later(last_input_, config_.idle_timeout);
}

net::Deadline ClientSession::send_deadline() const {
    if (!connected() || !output_waiting_since_) {
        return std::nullopt;
    }
    return net::later(*output_waiting_since_, config_.send_timeout);
}

net::Deadline ClientSession::next_deadline() const {
    const net::Deadline timeouts = net::earliest(idle_deadline(), send_deadline());
    return holding() && connected() ? net::earliest(timeouts, faults_->next_release()) : timeouts;
}

void ClientSession::check_deadlines(net::Clock::time_point now) {
    if (reading_paused()) {
        last_input_ = now;  // the idle clock restarts when reading does; meanwhile the send timeout judges
    }
    if (net::expired(idle_deadline(), now)) {
        drop("sent nothing for " + milliseconds_text(config_.idle_timeout));
    }
    if (net::expired(send_deadline(), now)) {
        drop("read no response for " + milliseconds_text(config_.send_timeout));
    }
}

}  // namespace oneline::server
