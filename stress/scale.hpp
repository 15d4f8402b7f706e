#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace oneline::stress {

/// True when built with ONELINE_SANITIZER (the counts are cut down there).
bool sanitized_build();

/// The count multiplier: ONELINE_STRESS_SCALE=N, or 10 when ONELINE_SOAK=1; 1 by default.
std::size_t scale_factor();

/// `count` for this run: times the scale factor, divided by 10 (never below
/// 1) in a sanitizer build, where everything runs several times slower.
std::size_t scaled(std::size_t count);

/// Checks `condition` every millisecond until it holds or `timeout` passes; says which.
/// For states the library offers no event for (e.g. Server::client_connected()).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace oneline::stress
