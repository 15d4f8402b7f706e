#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::bench {

/// Lines (commands or answers) laid out as they travel on the wire, each
/// ended by 0x0A, cycled endlessly: line i is line i % period of the cycle.
/// One block holds the cycle repeated to at least 64 KiB, so a writer can
/// send and a reader can check big slices without building the whole stream.
class LineStream {
public:
    /// `lines` must not be empty and must not contain 0x0A.
    explicit LineStream(const std::vector<std::string>& lines);

    /// The line numbered `index` (0-based, without its 0x0A).
    std::string_view line(std::size_t index) const;
    /// The line numbered `index` followed by 0x0A.
    std::string_view wire_line(std::size_t index) const { return block_wire_line(index % ends_.size()); }
    /// Line `in_block` (< lines_per_block()) of the block, without its 0x0A: line() without a
    /// division, for a load loop that keeps its place in the block itself.
    std::string_view block_line(std::size_t in_block) const {
        std::string_view wire = block_wire_line(in_block);
        wire.remove_suffix(1);
        return wire;
    }
    /// The wire bytes of lines [0, lines) in a row.
    std::size_t bytes_for(std::size_t lines) const;
    /// One block of wire bytes; the stream is this block repeated.
    std::string_view block() const { return block_; }
    /// How many whole lines one block holds.
    std::size_t lines_per_block() const { return ends_.size(); }

private:
    std::string_view block_wire_line(std::size_t in_block) const {
        const std::size_t begin = in_block == 0 ? 0 : ends_[in_block - 1];
        return std::string_view(block_).substr(begin, ends_[in_block] - begin);
    }

    std::string block_;
    std::vector<std::size_t> ends_;  // ends_[i]: offset just past line i's 0x0A in block_
};

/// What a load client sends and what it expects back: command i is answered by
/// exactly answer i (both cycling). The bench's own servers echo; `oneline bench`
/// against an unknown server uses the built-in ping -> pong.
struct Workload {
    LineStream commands;
    LineStream answers;

    /// Commands "cmd00".."cmd15", each answered by itself (the bench servers echo).
    static Workload echo();
    /// `command` repeated, each answered by `answer` (e.g. ping -> pong).
    static Workload fixed(const std::string& command, const std::string& answer);
};

/// The message of every wrong answer: "wrong answer to 'COMMAND': expected 'X', got 'Y'", each
/// quoted text cut to its first 60 bytes and its length.
std::string wrong_answer(std::string_view command, std::string_view expected, std::string_view got);

/// Checks a received byte stream against the expected one as it arrives.
class StreamChecker {
public:
    /// Expects the first `lines` lines of `expected`, the answers to `commands` (named in errors).
    StreamChecker(const LineStream& expected, std::size_t lines, const LineStream& commands)
        : expected_(expected), commands_(commands), total_(expected.bytes_for(lines)) {}

    /// Compares `bytes` with what should come next; throws std::runtime_error
    /// on the first difference or on bytes beyond the expected end.
    void check(std::string_view bytes);
    /// True once every expected byte has arrived.
    bool done() const noexcept { return seen_ == total_; }
    std::size_t seen() const noexcept { return seen_; }
    std::size_t total() const noexcept { return total_; }

private:
    const LineStream& expected_;
    const LineStream& commands_;
    std::size_t total_;
    std::size_t seen_ = 0;
};

}  // namespace oneline::bench
