#pragma once

#include <oneline/server.hpp>

#include <cstddef>
#include <memory>

namespace oneline::bench {

/// A oneline::Server on 127.0.0.1, ephemeral port, whose callback answers
/// every command once by echoing it: the library's side of the comparison
/// with RawServer. Listening (port() is known) but not serving yet.
std::unique_ptr<Server> make_echo_server(std::size_t max_line_length = 1024 * 1024);

}  // namespace oneline::bench
