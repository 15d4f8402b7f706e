#pragma once

#include "fault/fault_injector.hpp"
#include "framing/line_framer.hpp"
#include "log/log_sink.hpp"
#include "net/deadline.hpp"
#include "net/socket.hpp"
#include "net/wake_event.hpp"
#include "server/command_dispatch.hpp"
#include "server/response_queue.hpp"

#include <oneline/server.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace oneline::server {

/// The one connected client of a server: its socket, the framer its bytes go
/// through, the responses owed to it, and the times its timeouts count from.
///
/// One object serves every client in turn (connect, then drop), so its
/// buffers are allocated once. Everything runs on the server loop's thread,
/// except responses(), which any thread may push to. Nothing here blocks,
/// except flush_before_close(), bounded by the send timeout.
class ClientSession {
public:
    /// `config` and `log` must outlive the session.
    ClientSession(const ServerConfig& config, const log::LogSink& log);

    /// True while a client is connected.
    bool connected() const noexcept { return static_cast<bool>(socket_); }
    /// The connected client's socket, to poll.
    net::NativeSocket fd() const noexcept { return socket_.get(); }
    /// What to wait on the socket for (net::Readiness): input unless reading is paused, output while
    /// responses are unwritten.
    short poll_events() const noexcept;
    /// True while so many response bytes are unwritten (or held by a fault) that commands are not read.
    bool reading_paused() const noexcept;
    /// True when commands already read wait to be run and reading is not paused: the loop must
    /// come back to them without waiting for the socket.
    bool has_runnable_input() const noexcept { return !unrun_input_.empty() && !reading_paused(); }

    /// The client's faults, for the dispatcher to run commands through; null when none are configured.
    fault::FaultInjector* faults() noexcept { return faults_.get(); }
    /// True while a response sent on the loop's thread goes to hold_response() instead of the queue
    /// (faults are on, and a command runs or responses are held). Always false without faults.
    bool intercepts_responses() const noexcept { return faults_ && faults_->intercepting(); }
    /// Takes a response while intercepts_responses(); false when the client is over its pending limit.
    bool hold_response(std::string_view response);
    /// Drops the client when a fault stopped its input (a close, reset or stall under way) and
    /// `ready` (what the wait reported for its socket) says it hung up or failed: nothing else
    /// would notice, since its input is not read.
    void drop_if_gone(short ready);

    /// The queue that Server::send pushes to; thread-safe as ResponseQueue documents.
    ResponseQueue& responses() noexcept { return queue_; }
    const ResponseQueue& responses() const noexcept { return queue_; }

    /// Serves a newly accepted, non-blocking connection. Only when not connected().
    void connect(net::Socket socket);

    /// Runs the commands read earlier and not run yet, or else reads what the
    /// socket has without blocking, and runs each complete command through
    /// `dispatcher`. Stops between two commands when the responses not yet
    /// written pass the backpressure threshold (the rest waits in the buffer)
    /// and when the dispatcher asks to stop. At end of stream the client is
    /// dropped once every response owed is written (a half-closed client is
    /// still answered). Drops the client on an error, on a command over the
    /// line limit (after writing the responses owed for the commands before
    /// it) and when memory for its data runs out.
    void read_commands(CommandDispatcher& dispatcher);

    /// Writes every queued response the socket takes without blocking; drops the client when the write
    /// fails, when memory for its responses runs out, and once all is written after its end of stream.
    void send_queued();

    /// Drops the client if a response was refused because too many were pending.
    void drop_if_overflowed();

    /// Blocks until every owed response is written, the send timeout passes,
    /// or `stop_requested` is set (seen when `wake` is signalled). Used before
    /// closing the connection for `disconnect` or `shutdown`.
    void flush_before_close(net::WakeEvent& wake, const std::atomic<bool>& stop_requested);

    /// Closes the connection, forgets the responses owed, and logs `reason`.
    void drop(std::string_view reason);

    /// Closes the connection as drop() does, after discarding (bounded) the input the client sent
    /// and the server has not read, so that the stream ends with a FIN rather than a reset.
    /// Used after `disconnect` and `shutdown`, once the owed responses are flushed.
    void close_gracefully(std::string_view reason);

    /// When the idle or send timeout next runs out; std::nullopt when neither can.
    net::Deadline next_deadline() const;
    /// Drops the client when the idle or send timeout ran out by `now`.
    void check_deadlines(net::Clock::time_point now);

private:
    std::size_t unwritten() const noexcept { return output_.size() - output_offset_; }
    /// Response bytes owed and not written yet, queued ones included.
    std::size_t backlog() const noexcept { return unwritten() + queue_.queued() + held_bytes(); }
    /// Reads into the buffer; false when nothing came (would block, end of stream, error).
    bool receive();
    void end_of_input();
    void run_commands(CommandDispatcher& dispatcher);
    /// When the idle timeout drops the client; std::nullopt when it cannot now.
    net::Deadline idle_deadline() const;
    /// When the send timeout drops the client; std::nullopt when no output waits.
    net::Deadline send_deadline() const;
    void write();
    /// True when every response owed is written: none unwritten, none held by a fault.
    bool all_written() const noexcept { return unwritten() == 0 && !holding(); }
    /// Without faults configured there is no injector, and each of these is one test of a null pointer.
    bool holding() const noexcept { return faults_ && faults_->holding(); }
    std::size_t held_bytes() const noexcept { return faults_ ? faults_->held_bytes() : 0; }
    fault::Ending fault_ending() const noexcept { return faults_ ? faults_->ending() : fault::Ending::none; }
    /// Moves the held responses that are due to the output.
    void release_held();
    /// Does what a fault's ending asks once everything owed is written.
    void end_by_fault();

    const ServerConfig& config_;
    const log::LogSink& log_;
    framing::LineFramer framer_;
    std::unique_ptr<fault::FaultInjector> faults_;  // null unless ServerConfig::faults has one on
    bool faults_overflowed_ = false;
    bool stalled_ = false;  // a stall fault took effect: nothing more is read or written
    ResponseQueue queue_;
    std::unique_ptr<char[]> read_buffer_;
    net::Socket socket_;
    std::string name_;
    std::string_view unrun_input_;  // read into read_buffer_, not yet through the framer
    bool input_ended_ = false;      // the client half-closed; it is dropped once its responses are written
    std::string output_;            // drained responses being written
    std::size_t output_offset_ = 0;
    net::Clock::time_point last_input_{};
    std::optional<net::Clock::time_point> output_waiting_since_;  // unwritten output made no progress since
};

}  // namespace oneline::server
