#pragma once

#include <oneline/logger.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace oneline::log {

/// Where a Server's or Client's log lines go: nowhere when not verbose, to
/// the user's Logger when there is one, else to stdout behind `prefix`.
/// Thread-safe when the Logger is.
class LogSink {
public:
    LogSink(std::shared_ptr<Logger> logger, bool verbose, std::string_view prefix)
        : logger_(std::move(logger)), verbose_(verbose), prefix_(prefix) {}

    bool enabled() const noexcept { return verbose_; }

    /// Logs one line; builds nothing when disabled, so callers may pass
    /// pieces instead of formatting first. Never throws: a line that cannot
    /// be built (no memory) or that the Logger refuses (it threw) is lost,
    /// rather than taking down the server that logs it.
    template <class... Parts>
    void info(const Parts&... parts) const noexcept {
        if (verbose_) {
            try {
                write((std::string{} += ... += std::string_view(parts)));
            } catch (...) {  // losing one log line is the lesser harm
            }
        }
    }

private:
    void write(std::string_view line) const;

    std::shared_ptr<Logger> logger_;
    bool verbose_;
    std::string_view prefix_;
};

}  // namespace oneline::log
