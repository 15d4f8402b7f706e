#include "cli/handler_behaviour.hpp"

#include "handler/handler.hpp"

#include <iostream>
#include <utility>

namespace oneline::cli {
namespace {

class HandlerBehaviour final : public ServerBehaviour {
public:
    explicit HandlerBehaviour(handler::HandlerConfig config) : handler_(std::move(config)) {}

    void start() override { handler_.start(); }

    std::string_view answer(std::string_view command, bool is_invalid, Reply& reply) override {
        failure_ = handler_.answer(command, is_invalid, [&reply](std::string_view response) { reply.send(response); });
        return failure_;
    }

    void cancel() noexcept override { handler_.cancel(); }

private:
    handler::Handler handler_;
    std::string failure_;  // the last answer's failure, for the -v line
};

}  // namespace

std::unique_ptr<ServerBehaviour> handler_behaviour(const std::string& shell_text, std::chrono::milliseconds timeout,
                                                   const std::string& failure_response) {
    handler::HandlerConfig config;
    config.shell_text = shell_text;
    config.timeout = timeout;
    config.failure_response = failure_response;
    config.log = [](std::string_view line) { std::cerr << "oneline server: --handler: " << line << std::endl; };
    return std::make_unique<HandlerBehaviour>(std::move(config));
}

}  // namespace oneline::cli
