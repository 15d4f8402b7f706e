#include <oneline/transcript.hpp>

namespace oneline {
namespace {

std::string located(const std::string& file, std::size_t line, const std::string& message) {
    return line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message;
}

}  // namespace

TranscriptError::TranscriptError(std::string file, std::size_t line, const std::string& message)
    : std::runtime_error(located(file, line, message)), file_(std::move(file)), line_(line) {}

}  // namespace oneline
