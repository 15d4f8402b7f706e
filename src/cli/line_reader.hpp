#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <system_error>
#include <utility>

namespace oneline::cli {

/// Reads lines from a byte source (stdin for `oneline client`) holding at
/// most one line of `max_line` bytes plus one read's worth, whatever the
/// input: a line longer than that is refused, not buffered.
class LineReader {
public:
    /// Reads up to `size` bytes into `buffer`, blocking until there are
    /// some; returns the count, 0 at the end, -1 with `error` set on failure
    /// (see read_standard_input()).
    using ReadSome = std::function<std::ptrdiff_t(char* buffer, std::size_t size, std::error_code& error)>;

    enum class Result {
        line,      ///< `line` holds the next line, without its 0x0A
        end,       ///< the input has ended (a last line without 0x0A came before)
        too_long,  ///< the next line has more than max_line bytes before its 0x0A
        failed,    ///< reading failed; error() says why
        more,      ///< take() only: no whole line is held yet; fill() reads more
    };

    /// `max_line` counts the bytes before the 0x0A, a 0x0D included, as the
    /// server's line limit does.
    LineReader(ReadSome read_some, std::size_t max_line) : read_some_(std::move(read_some)), max_line_(max_line) {}

    /// Blocks until a whole line, the end of the input or the limit is reached.
    Result next(std::string& line);

    /// As next(), without reading: Result::more when what is held holds no whole line yet.
    Result take(std::string& line);
    /// Reads once (blocking until some bytes come or the input ends), for take().
    void fill();

    /// Why the last next() returned Result::failed.
    const std::error_code& error() const noexcept { return error_; }

private:
    ReadSome read_some_;
    std::size_t max_line_;
    std::string pending_;      // read; handed out up to start_
    std::size_t start_ = 0;    // where the next line begins in pending_
    std::size_t scanned_ = 0;  // bytes from start_ on known to hold no 0x0A
    bool ended_ = false;
    bool failed_ = false;
    std::error_code error_;
};

}  // namespace oneline::cli
