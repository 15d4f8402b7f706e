#pragma once

#include <oneline/logger.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace sample {

/// Writes log lines to stdout as "NAME | line", one write per line, flushed
/// at once, so that the server's and the client's lines interleave in the
/// order they happened when both write to the same pipe (see ./doit).
/// The library's own lines (verbose mode) come through info().
class SampleLogger final : public oneline::Logger {
public:
    explicit SampleLogger(std::string name) : prefix_(std::move(name) + " | ") {}

    void info(std::string_view line) override {
        std::string text = prefix_;
        text.append(line).push_back('\n');
        // One fwrite per line: stdio locks the stream, so lines from threads never interleave.
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    }

private:
    std::string prefix_;
};

}  // namespace sample
