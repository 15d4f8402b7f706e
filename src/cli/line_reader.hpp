#pragma once

#include <cstddef>
#include <string>

namespace oneline::cli {

/// Reads lines from a descriptor (stdin for `oneline client`) holding at
/// most one line of `max_line` bytes plus one read's worth, whatever the
/// input: a line longer than that is refused, not buffered.
class LineReader {
public:
    enum class Result {
        line,      ///< `line` holds the next line, without its 0x0A
        end,       ///< the input has ended (a last line without 0x0A came before)
        too_long,  ///< the next line has more than max_line bytes before its 0x0A
        failed,    ///< reading failed; errno says why
    };

    /// `max_line` counts the bytes before the 0x0A, a 0x0D included, as the
    /// server's line limit does.
    LineReader(int fd, std::size_t max_line) : fd_(fd), max_line_(max_line) {}

    /// Blocks until a whole line, the end of the input or the limit is reached.
    Result next(std::string& line);

private:
    int fd_;
    std::size_t max_line_;
    std::string pending_;      // read but not yet handed out
    std::size_t scanned_ = 0;  // bytes of pending_ known to hold no 0x0A
    bool ended_ = false;
};

}  // namespace oneline::cli
