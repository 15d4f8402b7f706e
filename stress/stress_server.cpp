#include "stress_server.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace oneline::stress {
namespace {

/// The number after `prefix` in `command`, or nothing when `command` is not `prefix<digits>`.
bool parse_argument(std::string_view command, std::string_view prefix, std::size_t& value) {
    if (command.substr(0, prefix.size()) != prefix) {
        return false;
    }
    const std::string_view digits = command.substr(prefix.size());
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return error == std::errc() && end == digits.data() + digits.size();
}

/// `tagged <n> <tag>`: n and the tag.
bool parse_tagged(std::string_view command, std::size_t& size, std::string_view& tag) {
    const std::size_t space = command.find(' ', 7);  // the one after the number
    if (space == std::string_view::npos || !parse_argument(command.substr(0, space), "tagged ", size)) {
        return false;
    }
    tag = command.substr(space + 1);
    return true;
}

/// A response of `size` bytes that starts with `tag`: long responses whose order a reader can check.
std::string tagged_response(std::size_t size, std::string_view tag) {
    std::string response(tag);
    if (response.size() < size) {
        response.append(size - response.size(), '.');
    }
    return response;
}

}  // namespace

StressServer::StressServer(Tweak tweak) : tweak_(std::move(tweak)) { start(0); }

StressServer::~StressServer() = default;

void StressServer::start(std::uint16_t port) {
    ServerConfig config;
    config.address = "127.0.0.1";
    config.port = port;
    config.callback = [this](std::string_view command, bool invalid) { handle(command, invalid); };
    // ONELINE_STRESS_VERBOSE=1 shows the server's own account of a failing scenario.
    const char* verbose = std::getenv("ONELINE_STRESS_VERBOSE");
    config.verbose = verbose != nullptr && std::string_view(verbose) == "1";
    if (tweak_) {
        tweak_(config);
    }
    address_ = config.address;
    server_ = std::make_unique<Server>(std::move(config));
    server_->start();
    port_ = server_->port();
}

void StressServer::restart_on_same_port() {
    const std::uint16_t port = port_;
    server_.reset();
    start(port);
}

void StressServer::record(std::size_t limit) {
    const std::lock_guard lock(recorded_mutex_);
    record_limit_ = limit;
    recorded_.clear();
}

std::vector<ReceivedCommand> StressServer::recorded() const {
    const std::lock_guard lock(recorded_mutex_);
    return recorded_;
}

void StressServer::handle(std::string_view command, bool invalid) {
    std::size_t value = 0;
    if (!invalid && command.substr(0, 5) == "echo ") {
        server_->send(command.substr(5));
    } else if (!invalid && parse_argument(command, "blob ", value)) {
        server_->send(std::string(value, 'b'));
    } else if (!invalid && parse_argument(command, "burst ", value)) {
        for (std::size_t i = 0; i < value; ++i) {
            server_->send(std::to_string(i));
        }
    } else if (std::string_view tag; !invalid && parse_tagged(command, value, tag)) {
        server_->send(tagged_response(value, tag));
    } else if (!invalid && command == "throw") {
        ++throws_;
        throw std::runtime_error("the stress callback throws on purpose");
    } else if (!invalid && parse_argument(command, "sleep ", value)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(value));  // the scenario is a slow callback
        server_->send("slept");
    } else {
        ++other_commands_;
        const std::lock_guard lock(recorded_mutex_);
        if (recorded_.size() < record_limit_) {
            recorded_.push_back({std::string(command), invalid});
        }
    }
}

}  // namespace oneline::stress
