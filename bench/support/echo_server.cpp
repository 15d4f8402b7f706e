#include "echo_server.hpp"

namespace oneline::bench {

std::unique_ptr<Server> make_echo_server(std::size_t max_line_length) {
    ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.max_line_length = max_line_length;
    config.reply_callback = [](std::string_view command, bool, Reply& reply) { reply.send(command); };
    auto server = std::make_unique<Server>(std::move(config));
    server->listen();
    return server;
}

}  // namespace oneline::bench
