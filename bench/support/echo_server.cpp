#include "echo_server.hpp"

namespace oneline::bench {

std::unique_ptr<Server> make_echo_server(std::size_t max_line_length) {
    // The callback needs the server it answers through, which exists only after the config is built.
    auto self = std::make_shared<Server*>(nullptr);
    ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.max_line_length = max_line_length;
    config.callback = [self](std::string_view command, bool) { (*self)->send(command); };
    auto server = std::make_unique<Server>(std::move(config));
    *self = server.get();
    server->listen();
    return server;
}

}  // namespace oneline::bench
