// Windows has no descriptor that a host program's wait could take for several sockets and a timer
// alike (WSAPoll takes sockets only): the wait set is absent, and serve_once runs with a timeout.
#include "net/wait_set.hpp"

#include <oneline/errors.hpp>

namespace oneline::net {

WaitSet::WaitSet() {
    throw Error(std::make_error_code(std::errc::function_not_supported),
                "no wait descriptor on Windows: call serve_once with a timeout");
}
WaitSet::~WaitSet() = default;
void WaitSet::watch(std::size_t, NativeSocket, short, std::uint64_t) {}
void WaitSet::collect() noexcept {}
void WaitSet::set_deadline(Deadline) {}
int WaitSet::wait(Deadline, std::vector<short>&) { return -1; }

}  // namespace oneline::net
