#pragma once

#include <cstddef>
#include <system_error>

namespace oneline::cli {

/// Reads up to `size` bytes of the tool's standard input into `buffer`,
/// blocking until at least one byte is there or the input ends. Returns the
/// count; 0 at the end of the input (also when the tool has no standard
/// input, or a pipe's writer has closed it); -1 when reading failed, with
/// the reason in `error`. Retries when a signal interrupts it.
std::ptrdiff_t read_standard_input(char* buffer, std::size_t size, std::error_code& error) noexcept;

}  // namespace oneline::cli
