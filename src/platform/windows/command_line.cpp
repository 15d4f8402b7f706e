// The tool's arguments on Windows: the UTF-16 command line, split as CommandLineToArgvW does and
// converted to UTF-8, since argv holds them in the ANSI code page.
#include "cli/command_line.hpp"

#include "platform/windows/wide_text.hpp"

#include <windows.h>

#include <shellapi.h>

#include <algorithm>
#include <memory>

namespace oneline::cli {
namespace {

struct LocalMemoryDeleter {
    void operator()(LPWSTR* memory) const noexcept { ::LocalFree(memory); }
};

}  // namespace

std::vector<std::string> command_line_arguments(int argc, char** argv) {
    int count = 0;
    const std::unique_ptr<LPWSTR, LocalMemoryDeleter> wide(::CommandLineToArgvW(::GetCommandLineW(), &count));
    if (!wide) {
        return std::vector<std::string>(argv + std::min(argc, 1), argv + argc);  // as the C runtime split them
    }
    std::vector<std::string> arguments;
    for (int i = 1; i < count; ++i) {
        arguments.push_back(platform::windows::to_utf8(wide.get()[i]));
    }
    return arguments;
}

}  // namespace oneline::cli
