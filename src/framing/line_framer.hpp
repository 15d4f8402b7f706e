#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace oneline::framing {

/// Which bytes of a line are kept, and which are dropped and flag it invalid.
enum class ByteRule {
    ascii,  ///< bytes >= 0x80 are dropped
    utf8,   ///< a byte that does not start a well-formed UTF-8 sequence is dropped
    any,    ///< every byte is kept
};

struct FramerOptions {
    /// A line whose raw bytes before the 0x0A exceed this length is an error.
    std::size_t max_line_length = 1024 * 1024;
    /// Keep one 0x0D right before the 0x0A instead of dropping it.
    bool keep_cr = false;
    ByteRule byte_rule = ByteRule::ascii;
};

/// Splits a byte stream into lines ended by 0x0A, and decodes each one.
///
/// Pure: no sockets, no allocation beyond one buffer for a line that spans
/// feeds (bounded by max_line_length). Rules, applied to each line in order:
///  1. the line is the bytes before 0x0A; more than max_line_length of them is
///     an error, reported as soon as the limit is passed, without waiting for 0x0A;
///  2. unless keep_cr, one 0x0D at its end is dropped;
///  3. bytes the ByteRule rejects are dropped, and the line is flagged invalid.
class LineFramer {
public:
    enum class Status {
        ok,             ///< every byte was consumed
        line_too_long,  ///< a line passed the limit; the framer is stuck until reset()
        stopped,        ///< the sink asked to stop; the rest of the input was not consumed
    };

    explicit LineFramer(FramerOptions options = {}) : options_(options) {}

    /// Feeds `bytes`, calling `sink(std::string_view line, bool invalid)` for
    /// each complete line; the view is valid only during the call. The sink
    /// returns true to go on, false to stop (e.g. after `disconnect`).
    template <class Sink>
    Status feed(std::string_view bytes, Sink&& sink) {
        return feed_some(bytes, std::forward<Sink>(sink));
    }

    /// As feed(), consuming from the front of `bytes`: on return it holds
    /// what was not consumed (empty unless the sink stopped), so that a caller
    /// that pauses mid-buffer can resume with the rest later.
    template <class Sink>
    Status feed_some(std::string_view& bytes, Sink&& sink);

    /// True when bytes of an unfinished line are held.
    bool has_partial_line() const noexcept { return partial_length_ > 0; }
    /// Forgets the unfinished line and any error (e.g. for a new connection).
    void reset() noexcept;

    const FramerOptions& options() const noexcept { return options_; }

private:
    /// Decodes a complete raw line (0x0A excluded); the result is valid until
    /// the next call. Sets `invalid` when a byte was dropped.
    std::string_view decode(std::string_view raw, bool& invalid);

    FramerOptions options_;
    std::string partial_;             // raw bytes of an unfinished line
    std::size_t partial_length_ = 0;  // same as partial_.size(); kept for the fast path
    std::string decoded_;             // scratch for lines that lose bytes
    bool too_long_ = false;
};

template <class Sink>
LineFramer::Status LineFramer::feed_some(std::string_view& bytes, Sink&& sink) {
    if (too_long_) {
        return Status::line_too_long;
    }
    while (!bytes.empty()) {
        const std::size_t newline = bytes.find('\n');
        if (newline == std::string_view::npos) {
            if (partial_length_ + bytes.size() > options_.max_line_length) {
                too_long_ = true;
                return Status::line_too_long;
            }
            partial_.append(bytes);
            partial_length_ = partial_.size();
            bytes.remove_prefix(bytes.size());
            return Status::ok;
        }
        if (partial_length_ + newline > options_.max_line_length) {
            too_long_ = true;
            return Status::line_too_long;
        }
        std::string_view raw = bytes.substr(0, newline);
        bytes.remove_prefix(newline + 1);
        if (partial_length_ > 0) {
            partial_.append(raw);
            raw = partial_;
        }
        bool invalid = false;
        const std::string_view line = decode(raw, invalid);
        const bool go_on = sink(line, invalid);
        partial_.clear();
        partial_length_ = 0;
        if (!go_on) {
            return Status::stopped;
        }
    }
    return Status::ok;
}

}  // namespace oneline::framing
