#include "workload.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace oneline::bench {
namespace {

constexpr std::size_t kMinBlockBytes = 64 * 1024;
/// How much of a command or answer a message quotes.
constexpr std::size_t kQuotedBytes = 60;

std::string quoted(std::string_view text) {
    if (text.size() <= kQuotedBytes) {
        return "'" + std::string(text) + "'";
    }
    return "'" + std::string(text.substr(0, kQuotedBytes)) + "...' (" + std::to_string(text.size()) + " bytes)";
}

/// The line that starts at `at` in `text`, without its 0x0A (the rest of `text` when none ends it).
std::string_view line_at(std::string_view text, std::size_t at) {
    const std::string_view rest = text.substr(at);
    return rest.substr(0, rest.find('\n'));
}

}  // namespace

std::string wrong_answer(std::string_view command, std::string_view expected, std::string_view got) {
    return "wrong answer to " + quoted(command) + ": expected " + quoted(expected) + ", got " + quoted(got);
}

LineStream::LineStream(const std::vector<std::string>& lines) {
    if (lines.empty()) {
        throw std::invalid_argument("a line stream needs at least one line");
    }
    while (block_.size() < kMinBlockBytes) {
        for (const std::string& line : lines) {
            block_.append(line).push_back('\n');
            ends_.push_back(block_.size());
        }
    }
}

std::string_view LineStream::line(std::size_t index) const {
    std::string_view wire = wire_line(index);
    wire.remove_suffix(1);
    return wire;
}

std::size_t LineStream::bytes_for(std::size_t lines) const {
    const std::size_t rest = lines % ends_.size();
    return (lines / ends_.size()) * block_.size() + (rest == 0 ? 0 : ends_[rest - 1]);
}

Workload Workload::echo() {
    std::vector<std::string> commands;
    for (int i = 0; i < 16; ++i) {
        char name[8];
        std::snprintf(name, sizeof name, "cmd%02d", i);
        commands.emplace_back(name);
    }
    return Workload{LineStream(commands), LineStream(commands)};
}

Workload Workload::fixed(const std::string& command, const std::string& answer) {
    return Workload{LineStream({command}), LineStream({answer})};
}

void StreamChecker::check(std::string_view bytes) {
    if (bytes.size() > total_ - seen_) {
        throw std::runtime_error("received " + std::to_string(bytes.size() - (total_ - seen_)) +
                                 " bytes more than the answers expected");
    }
    const std::string_view block = expected_.block();
    while (!bytes.empty()) {
        const std::size_t offset = seen_ % block.size();
        const std::size_t length = std::min(bytes.size(), block.size() - offset);
        if (bytes.compare(0, length, block.substr(offset, length)) != 0) {
            // The answer that differs, from its start as far as it has arrived, beside the one
            // expected and the command it answers. What came before the first differing byte is the
            // expected text (of this piece or an earlier one of the block).
            std::size_t same = 0;
            while (bytes[same] == block[offset + same]) {
                ++same;
            }
            const std::size_t at = offset + same;
            const std::size_t begin = at == 0 ? 0 : block.rfind('\n', at - 1) + 1;  // npos + 1 == 0
            const std::size_t in_block = static_cast<std::size_t>(
                std::count(block.begin(), block.begin() + static_cast<std::ptrdiff_t>(begin), '\n'));
            const std::size_t index = seen_ / block.size() * expected_.lines_per_block() + in_block;
            const std::string got = std::string(block.substr(begin, at - begin)) + std::string(line_at(bytes, same));
            throw std::runtime_error(wrong_answer(commands_.line(index), line_at(block, begin), got));
        }
        seen_ += length;
        bytes.remove_prefix(length);
    }
}

}  // namespace oneline::bench
