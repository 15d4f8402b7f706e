#pragma once

#include <oneline/logger.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::test {

/// A Logger that keeps every line, safe from any thread, and lets a test
/// wait for a line containing some text.
class RecordingLogger : public Logger {
public:
    void info(std::string_view line) override {
        const std::lock_guard lock(mutex_);
        lines_.emplace_back(line);
        changed_.notify_all();
    }

    std::vector<std::string> lines() const {
        const std::lock_guard lock(mutex_);
        return lines_;
    }

    /// True when a line containing `text` was logged.
    bool contains(std::string_view text) const {
        const std::lock_guard lock(mutex_);
        return find_locked(text);
    }

    /// Waits until a line containing `text` is logged, or `timeout` passes.
    bool wait_for(std::string_view text, std::chrono::milliseconds timeout) const {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return find_locked(text); });
    }

    /// All lines joined by line feeds, for failure messages.
    std::string text() const {
        const std::lock_guard lock(mutex_);
        std::string joined;
        for (const auto& line : lines_) {
            joined.append(line).push_back('\n');
        }
        return joined;
    }

private:
    bool find_locked(std::string_view text) const {
        for (const auto& line : lines_) {
            if (line.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> lines_;
};

}  // namespace oneline::test
