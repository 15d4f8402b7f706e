#pragma once

#include <oneline/logger.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace oneline::cli {

/// Sends the library's log lines (`-v`) to stderr behind a prefix, keeping
/// stdout for data: responses in `client`, nothing in `server`.
class StderrLogger final : public Logger {
public:
    explicit StderrLogger(std::string prefix) : prefix_(std::move(prefix)) {}

    void info(std::string_view line) override {
        // One fwrite per line: stdio locks the stream, so lines from threads never interleave.
        std::string text = prefix_;
        text.append(line).push_back('\n');
        std::fwrite(text.data(), 1, text.size(), stderr);
    }

private:
    std::string prefix_;
};

}  // namespace oneline::cli
