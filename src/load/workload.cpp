#include "workload.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace oneline::bench {
namespace {

constexpr std::size_t kMinBlockBytes = 64 * 1024;

}  // namespace

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
            throw std::runtime_error("wrong answer bytes near stream offset " + std::to_string(seen_) + ": got '" +
                                     std::string(bytes.substr(0, std::min<std::size_t>(length, 20))) + "'");
        }
        seen_ += length;
        bytes.remove_prefix(length);
    }
}

}  // namespace oneline::bench
