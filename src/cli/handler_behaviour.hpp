#pragma once

#include "handler/handler.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace oneline::cli {

/// The long-lived program of `oneline server --handler CMD` (not started yet), its failures reported on
/// stderr ("oneline server: --handler: ..."). `timeout` is --exec-timeout, `failure_response`
/// --failure-response.
std::unique_ptr<handler::Handler> make_handler(const std::string& shell_text, std::chrono::milliseconds timeout,
                                               const std::string& failure_response);

}  // namespace oneline::cli
