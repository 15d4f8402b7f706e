#pragma once

// The owner of a Win32 handle, for the `oneline` tool's Windows code. Included by src/platform/ only.
#include <windows.h>

#include <utility>

namespace oneline::platform::windows {

/// Owns one kernel handle (a process, job, pipe end, event or file) and closes it when destroyed.
/// Move-only. Both null and INVALID_HANDLE_VALUE mean "none": Win32 functions return one or the other.
class UniqueHandle {
public:
    UniqueHandle() noexcept = default;
    explicit UniqueHandle(HANDLE handle) noexcept : handle_(handle) {}
    ~UniqueHandle() { reset(); }

    UniqueHandle(UniqueHandle&& other) noexcept : handle_(other.release()) {}
    UniqueHandle& operator=(UniqueHandle&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }
    UniqueHandle(const UniqueHandle&) = delete;
    UniqueHandle& operator=(const UniqueHandle&) = delete;

    HANDLE get() const noexcept { return handle_; }
    bool valid() const noexcept { return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE; }
    explicit operator bool() const noexcept { return valid(); }

    /// Gives up ownership without closing.
    HANDLE release() noexcept { return std::exchange(handle_, nullptr); }

    /// Closes the current handle, if any, and takes `handle`.
    void reset(HANDLE handle = nullptr) noexcept {
        if (valid()) {
            ::CloseHandle(handle_);
        }
        handle_ = handle;
    }

private:
    HANDLE handle_ = nullptr;
};

}  // namespace oneline::platform::windows
