#include "cli/line_reader.hpp"

#include <algorithm>

namespace oneline::cli {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

}  // namespace

LineReader::Result LineReader::next(std::string& line) {
    for (;;) {
        const std::size_t end = pending_.find('\n', scanned_);
        if (end != std::string::npos) {
            if (end > max_line_) {
                return Result::too_long;
            }
            line.assign(pending_, 0, end);
            pending_.erase(0, end + 1);
            scanned_ = 0;
            return Result::line;
        }
        scanned_ = pending_.size();
        if (pending_.size() > max_line_) {
            return Result::too_long;
        }
        if (ended_) {
            if (pending_.empty()) {
                return Result::end;
            }
            line = std::move(pending_);
            pending_.clear();
            scanned_ = 0;
            return Result::line;
        }
        // Never more than one byte past the limit: enough to tell that a line is too long.
        const std::size_t room = std::min(kReadChunk, max_line_ + 1 - pending_.size());
        const std::size_t old_size = pending_.size();
        pending_.resize(old_size + room);
        const std::ptrdiff_t got = read_some_(pending_.data() + old_size, room, error_);
        pending_.resize(old_size + static_cast<std::size_t>(std::max<std::ptrdiff_t>(got, 0)));
        if (got < 0) {
            return Result::failed;
        }
        ended_ = got == 0;
    }
}

}  // namespace oneline::cli
