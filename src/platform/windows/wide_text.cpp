// Text conversions for the `oneline` tool's Windows code, with MultiByteToWideChar and back.
#include "platform/windows/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <climits>

namespace oneline::platform::windows {
namespace {

// The conversions take int lengths; nothing the tool converts comes near that.
int clamped(std::size_t size) noexcept { return static_cast<int>(std::min<std::size_t>(size, INT_MAX)); }

}  // namespace

std::wstring to_wide(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    const int length = ::MultiByteToWideChar(CP_UTF8, 0, text.data(), clamped(text.size()), nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(std::max(length, 0)), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, text.data(), clamped(text.size()), wide.data(), length);
    return wide;
}

std::string to_utf8(std::wstring_view text) {
    if (text.empty()) {
        return {};
    }
    const int length =
        ::WideCharToMultiByte(CP_UTF8, 0, text.data(), clamped(text.size()), nullptr, 0, nullptr, nullptr);
    std::string utf8(static_cast<std::size_t>(std::max(length, 0)), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, text.data(), clamped(text.size()), utf8.data(), length, nullptr, nullptr);
    return utf8;
}

}  // namespace oneline::platform::windows
