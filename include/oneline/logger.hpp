#pragma once

/// \file
/// oneline::Logger, where a verbose Server or Client sends its log lines.

#include <oneline/export.hpp>

#include <string_view>

namespace oneline {

/// Receives the log lines of a Server or Client whose `verbose` flag is on.
/// Implement it to route oneline's lines into your own logging. `info` may be
/// called from the server's thread and from threads that call `send`, so an
/// implementation must be thread-safe. It must not throw, and must not call
/// back into the Server or Client that logs to it (it may be called while
/// their internal locks are held).
class ONELINE_EXPORT Logger {
public:
    virtual ~Logger() = default;
    /// One complete line of text, without a trailing line feed.
    virtual void info(std::string_view line) = 0;
};

}  // namespace oneline
