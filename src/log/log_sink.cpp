#include "log/log_sink.hpp"

#include <cstdio>
#include <string>

namespace oneline::log {

void LogSink::write(std::string_view line) const {
    if (logger_) {
        logger_->info(line);
        return;
    }
    // One fwrite per line: stdio locks the stream, so lines from threads never interleave.
    std::string text;
    text.reserve(prefix_.size() + line.size() + 1);
    text.append(prefix_).append(line).push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

}  // namespace oneline::log
