// The tool's standard input on Windows: ReadFile on the standard input handle, whatever it is
// (a pipe, a file or the console).
#include "cli/standard_input.hpp"

#include "platform/windows/winsock.hpp"

#include <windows.h>

#include <algorithm>
#include <chrono>

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

InputReadiness wait_for_input(std::intptr_t socket, std::chrono::milliseconds timeout) noexcept {
    // Windows cannot wait on an anonymous pipe: a pipe is peeked at between short waits on the
    // socket; a file or the console is reported ready at once (reading it then blocks, so a close
    // of the server is noticed at the next line).
    constexpr std::chrono::milliseconds kPipeLook{10};
    InputReadiness ready;
    HANDLE input = ::GetStdHandle(STD_INPUT_HANDLE);
    if (input == nullptr || input == INVALID_HANDLE_VALUE || ::GetFileType(input) != FILE_TYPE_PIPE) {
        ready.input = true;
        return ready;
    }
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        DWORD available = 0;
        if (!::PeekNamedPipe(input, nullptr, 0, nullptr, &available, nullptr) || available > 0) {
            ready.input = true;  // bytes, or the writer has closed it (or it failed): the read says which
        }
        const auto spent =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        auto slice = ready.input ? std::chrono::milliseconds(0) : kPipeLook;
        if (timeout.count() >= 0) {
            slice = std::max(std::chrono::milliseconds(0), std::min(slice, timeout - spent));
        }
        if (socket >= 0) {
            WSAPOLLFD entry{};
            entry.fd = static_cast<SOCKET>(socket);
            entry.events = POLLRDNORM;
            ready.socket = ::WSAPoll(&entry, 1, static_cast<INT>(slice.count())) > 0 && entry.revents != 0;
        } else if (!ready.input) {
            ::Sleep(static_cast<DWORD>(slice.count()));
        }
        if (ready.input || ready.socket || (timeout.count() >= 0 && spent >= timeout)) {
            return ready;
        }
    }
}

}  // namespace oneline::cli
