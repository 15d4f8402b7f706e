// Stop requests on Windows: Ctrl-C, Ctrl-Break and closing the console reach a console control
// handler, which the system runs on a thread of its own. The handler only notes which request it
// was and sets an event; the thread in wait() does the stopping. (Logoff and shutdown reach only
// console programs that load no user32.dll; shell32.dll, which reads the command line, loads it.)
#include "cli/signal_watch.hpp"

#include "platform/windows/unique_handle.hpp"
#include "platform/windows/winsock.hpp"

#include <oneline/errors.hpp>

#include <windows.h>

#include <atomic>

namespace oneline::cli {
namespace {

using platform::windows::UniqueHandle;
using platform::windows::winsock_error;

// The handler has no argument to carry state: it reaches the watch only through these.
std::atomic<bool> watching{false};
std::atomic<DWORD> last_request{CTRL_C_EVENT};

/// The event the handler sets: made once and kept for the life of the process, since the handler
/// may run at any moment, even while a watch is being destroyed.
HANDLE stop_requested_event() {
    static const UniqueHandle event(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
    return event.get();
}

BOOL WINAPI on_console_event(DWORD event) {
    if (!watching.load()) {
        return TRUE;  // the watch is gone: requests are ignored, as on POSIX
    }
    last_request.store(event);
    ::SetEvent(stop_requested_event());
    if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT) {
        // Returning would let the system end the process before the server has stopped. Waiting
        // here, the process ends when main returns (or when the system's grace time of about
        // 5 seconds runs out).
        ::Sleep(INFINITE);
    }
    return TRUE;
}

std::string_view request_name(DWORD event) noexcept {
    switch (event) {
        case CTRL_C_EVENT: return "Ctrl-C";
        case CTRL_BREAK_EVENT: return "Ctrl-Break";
        case CTRL_CLOSE_EVENT: return "console close";
        case CTRL_LOGOFF_EVENT: return "logoff";
        case CTRL_SHUTDOWN_EVENT: return "system shutdown";
        default: return "a console event";
    }
}

Error last_system_error(const char* what) { return Error(winsock_error(static_cast<int>(::GetLastError())), what); }

}  // namespace

struct SignalWatch::State {
    UniqueHandle wake;  // set by wake()
};

SignalWatch::SignalWatch() : state_(std::make_unique<State>()) {
    state_->wake.reset(::CreateEventW(nullptr, FALSE, FALSE, nullptr));
    if (!state_->wake || stop_requested_event() == nullptr) {
        throw last_system_error("CreateEvent");
    }
    ::ResetEvent(stop_requested_event());
    watching.store(true);
    // A process started with Ctrl-C disabled (CREATE_NEW_PROCESS_GROUP) keeps it disabled, like `nohup`.
    if (!::SetConsoleCtrlHandler(on_console_event, TRUE)) {
        watching.store(false);
        throw last_system_error("SetConsoleCtrlHandler");
    }
}

// The handler stays registered, ignoring what comes: removing it would let the next Ctrl-C kill the process.
SignalWatch::~SignalWatch() { watching.store(false); }

SignalWatch::Wakeup SignalWatch::wait() noexcept {
    const HANDLE events[] = {stop_requested_event(), state_->wake.get()};
    switch (::WaitForMultipleObjects(2, events, FALSE, INFINITE)) {
        case WAIT_OBJECT_0: return {Wakeup::Reason::stop_requested, request_name(last_request.load()), {}};
        case WAIT_OBJECT_0 + 1: return {Wakeup::Reason::woken, {}, {}};
        default: return {Wakeup::Reason::failed, {}, winsock_error(static_cast<int>(::GetLastError()))};
    }
}

void SignalWatch::wake() noexcept { ::SetEvent(state_->wake.get()); }

std::string_view SignalWatch::requests() noexcept { return "Ctrl-C, Ctrl-Break or closing the console"; }

}  // namespace oneline::cli
