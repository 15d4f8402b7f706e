#pragma once

#include "cli/server_behaviour.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace oneline::cli {

/// `oneline server --handler CMD`: one long-lived program answers every command (see
/// handler::Handler), started once the server listens; its failures are reported on stderr
/// ("oneline server: --handler: ..."). `timeout` is --exec-timeout, `failure_response`
/// --failure-response.
std::unique_ptr<ServerBehaviour> handler_behaviour(const std::string& shell_text, std::chrono::milliseconds timeout,
                                                   const std::string& failure_response);

}  // namespace oneline::cli
