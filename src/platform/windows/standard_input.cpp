// The tool's standard input on Windows: ReadFile on the standard input handle, whatever it is
// (a pipe, a file or the console).
#include "cli/standard_input.hpp"

#include "platform/windows/winsock.hpp"

#include <windows.h>

#include <algorithm>

namespace oneline::cli {

std::ptrdiff_t read_standard_input(char* buffer, std::size_t size, std::error_code& error) noexcept {
    // Reads from the console fail above 64 KiB on some versions; smaller reads cost nothing here.
    constexpr std::size_t kMostPerRead = 32 * 1024;
    HANDLE input = ::GetStdHandle(STD_INPUT_HANDLE);
    if (input == nullptr || input == INVALID_HANDLE_VALUE) {
        return 0;  // started without one
    }
    DWORD got = 0;
    if (::ReadFile(input, buffer, static_cast<DWORD>(std::min(size, kMostPerRead)), &got, nullptr)) {
        return static_cast<std::ptrdiff_t>(got);  // 0: the end of a file, or Ctrl-Z on the console
    }
    const DWORD code = ::GetLastError();
    if (code == ERROR_BROKEN_PIPE || code == ERROR_HANDLE_EOF) {
        return 0;  // the writer has closed its end
    }
    error = platform::windows::winsock_error(static_cast<int>(code));
    return -1;
}

}  // namespace oneline::cli
