// Whether cmd.exe finds the first word of an --exec CMD, looked up as cmd.exe does: its builtins,
// then each directory of the current one and PATH, trying the word with each PATHEXT extension.
#include "cli/program_lookup.hpp"

#include "platform/windows/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <vector>

namespace oneline::cli {
namespace {

using platform::windows::to_wide;

constexpr std::array<std::string_view, 43> kBuiltins{
    "assoc", "break",    "call",  "cd",    "chdir",  "cls",   "color", "copy", "date",   "del",    "dir",
    "echo",  "endlocal", "erase", "exit",  "for",    "ftype", "goto",  "if",   "md",     "mkdir",  "mklink",
    "move",  "path",     "pause", "popd",  "prompt", "pushd", "rd",    "rem",  "ren",    "rename", "rmdir",
    "set",   "setlocal", "shift", "start", "time",   "title", "type",  "ver",  "verify", "vol"};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::wstring variable(const wchar_t* name) {
    const DWORD size = ::GetEnvironmentVariableW(name, nullptr, 0);
    if (size == 0) {
        return {};
    }
    std::wstring value(size, L'\0');
    value.resize(::GetEnvironmentVariableW(name, value.data(), size));
    return value;
}

std::vector<std::wstring> split(const std::wstring& list) {
    std::vector<std::wstring> items;
    for (std::size_t begin = 0; begin <= list.size();) {
        const std::size_t end = std::min(list.find(L';', begin), list.size());
        if (end > begin) {
            items.push_back(list.substr(begin, end - begin));
        }
        begin = end + 1;
    }
    return items;
}

bool found_on(const std::wstring& path, const std::wstring& file) {
    wchar_t full[MAX_PATH];
    const DWORD length = ::SearchPathW(path.c_str(), file.c_str(), nullptr, MAX_PATH, full, nullptr);
    return length > 0;  // longer than MAX_PATH is found too: the length needed is returned
}

}  // namespace

bool shell_may_find(const std::string& word) {
    // Only a plain name is checked: a path, a drive, quotes, %VARIABLES% and cmd.exe's own spellings
    // like `echo.` are left for cmd.exe to judge at run time.
    const bool plain = !word.empty() && word.front() != '.' && word.back() != '.' &&
                       word.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789_.+-") == std::string::npos;
    if (!plain || std::find(kBuiltins.begin(), kBuiltins.end(), lower(word)) != kBuiltins.end()) {
        return true;
    }
    const std::wstring name = to_wide(word);
    const std::wstring directories = L".;" + variable(L"PATH");
    std::wstring extensions = variable(L"PATHEXT");
    if (extensions.empty()) {
        extensions = L".COM;.EXE;.BAT;.CMD";
    }
    if (word.find('.') != std::string::npos && found_on(directories, name)) {
        return true;  // a name with its extension: as cmd.exe, through the file's association
    }
    for (const std::wstring& extension : split(extensions)) {
        if (found_on(directories, name + extension)) {
            return true;
        }
    }
    return false;
}

}  // namespace oneline::cli
