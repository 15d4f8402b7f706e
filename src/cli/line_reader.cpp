#include "cli/line_reader.hpp"

#include <algorithm>

namespace oneline::cli {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

}  // namespace

LineReader::Result LineReader::next(std::string& line) {
    for (;;) {
        const Result result = take(line);
        if (result != Result::more) {
            return result;
        }
        fill();
    }
}

LineReader::Result LineReader::take(std::string& line) {
    // Lines are handed out from start_ on; the buffer is compacted only when more is read, so that
    // a read holding thousands of lines is not moved once per line.
    const std::size_t end = pending_.find('\n', start_ + scanned_);
    if (end != std::string::npos) {
        if (end - start_ > max_line_) {
            return Result::too_long;
        }
        line.assign(pending_, start_, end - start_);
        start_ = end + 1;
        scanned_ = 0;
        return Result::line;
    }
    const std::size_t held = pending_.size() - start_;
    scanned_ = held;
    if (held > max_line_) {
        return Result::too_long;
    }
    if (failed_) {
        return Result::failed;
    }
    if (ended_) {
        if (held == 0) {
            return Result::end;
        }
        line.assign(pending_, start_, held);
        pending_.clear();
        start_ = 0;
        scanned_ = 0;
        return Result::line;
    }
    return Result::more;
}

void LineReader::fill() {
    if (ended_ || failed_) {
        return;
    }
    pending_.erase(0, start_);
    start_ = 0;
    // Never more than one byte past the limit: enough to tell that a line is too long.
    const std::size_t room = std::min(kReadChunk, max_line_ + 1 - pending_.size());
    const std::size_t old_size = pending_.size();
    pending_.resize(old_size + room);
    const std::ptrdiff_t got = read_some_(pending_.data() + old_size, room, error_);
    pending_.resize(old_size + static_cast<std::size_t>(std::max<std::ptrdiff_t>(got, 0)));
    failed_ = got < 0;
    ended_ = got == 0;
}

}  // namespace oneline::cli
