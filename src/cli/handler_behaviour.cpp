#include "cli/handler_behaviour.hpp"

#include <iostream>

namespace oneline::cli {

std::unique_ptr<handler::Handler> make_handler(const std::string& shell_text, std::chrono::milliseconds timeout,
                                               const std::string& failure_response) {
    handler::HandlerConfig config;
    config.shell_text = shell_text;
    config.timeout = timeout;
    config.failure_response = failure_response;
    config.log = [](std::string_view line) { std::cerr << "oneline server: --handler: " << line << std::endl; };
    return std::make_unique<handler::Handler>(std::move(config));
}

}  // namespace oneline::cli
