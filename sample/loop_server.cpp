// A program whose own fixed-step loop drives a oneline::Server, without a serving thread: a small
// simulation (a water tank with an inflow and a drain) advances every 10 ms, and between two ticks
// the server gets the time that is left. Commands ask about the simulation or change it:
//
//   tick            -> "tick N"                 how many steps the simulation has taken
//   level           -> "level L"                the water level, in litres
//   inflow X        -> "inflow X"               sets the inflow, litres per second (0..1000)
//   state           -> "tick N level L inflow X"
//   anything else   -> "nak - unknown cmd"      (a command with undecodable bytes: "nak - invalid bytes")
//
//   loop_server [PORT] [--wait-descriptor]      (default 5002; 0 picks a free port)
//
// By default each tick calls serve_once with the time left until the next tick, so the program
// sleeps in the server's own wait. With --wait-descriptor (POSIX) it sleeps in its own poll() on
// the server's wait descriptor instead, as a program with other descriptors of its own would, and
// calls serve_once(0) when it turns readable. Ctrl-C (SIGINT) or SIGTERM stops the server through
// request_stop(); so does a client's `shutdown`. Prints "stopped at tick N" and exits 0.
#include "sample_logger.hpp"

#include <oneline/oneline.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#ifndef _WIN32
#include <poll.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kTick = 10ms;

/// The simulated tank: integrated once per tick, at a fixed step.
struct Tank {
    long long tick = 0;
    double level = 0.0;                             // litres
    double inflow = 0.0;                            // litres per second
    static constexpr double kDrainPerSecond = 0.5;  // of the level, per second

    void advance(std::chrono::duration<double> step) {
        level = std::max(0.0, level + (inflow - kDrainPerSecond * level) * step.count());
        ++tick;
    }
};

std::string number(double value) {
    std::ostringstream text;
    text.precision(3);
    text << std::fixed << value;
    return text.str();
}

/// Answers one command about `tank` through `reply`.
void answer(Tank& tank, std::string_view command, bool is_invalid, oneline::Reply& reply) {
    if (is_invalid) {
        reply.send("nak - invalid bytes");
    } else if (command == "tick") {
        reply.send("tick " + std::to_string(tank.tick));
    } else if (command == "level") {
        reply.send("level " + number(tank.level));
    } else if (command == "state") {
        reply.send("tick " + std::to_string(tank.tick) + " level " + number(tank.level) + " inflow " +
                   number(tank.inflow));
    } else if (command.substr(0, 7) == "inflow ") {
        char* end = nullptr;
        const std::string value(command.substr(7));
        const double inflow = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !(inflow >= 0.0 && inflow <= 1000.0)) {
            reply.send("nak - inflow wants a number of litres per second, 0..1000");
            return;
        }
        tank.inflow = inflow;
        reply.send("inflow " + number(tank.inflow));
    } else {
        reply.send("nak - unknown cmd");
    }
}

std::optional<std::uint16_t> parse_port(const char* text) {
    char* end = nullptr;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

// The server a signal stops (a lock-free atomic, which a handler may read); request_stop() is all
// a handler may call.
std::atomic<oneline::Server*> g_server{nullptr};

extern "C" void stop_on_signal(int) {
    if (oneline::Server* server = g_server.load()) {
        server->request_stop();
    }
}

/// Sleeps until `until` in the host's own wait on the server's descriptor, or until it is readable.
void wait_on_descriptor([[maybe_unused]] int fd, [[maybe_unused]] Clock::time_point until) {
#ifndef _WIN32
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    pollfd entry{fd, POLLIN, 0};
    ::poll(&entry, 1, static_cast<int>(std::max<long long>(left.count(), 0)));  // EINTR: the loop goes on
#endif
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<std::uint16_t> port = 5002;
    bool use_descriptor = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--wait-descriptor") {
            use_descriptor = true;
        } else {
            port = parse_port(argv[i]);
        }
    }
    if (!port) {
        std::cerr << "usage: loop_server [PORT] [--wait-descriptor]   (PORT 0..65535; 0 picks a free port)\n";
        return 2;
    }
    auto log = std::make_shared<sample::SampleLogger>("loop    ");
    Tank tank;

    oneline::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = *port;
    config.logger = log;
    config.verbose = true;
    // The callback runs inside serve_once, in this thread: it may read and change the tank freely.
    config.reply_callback = [&tank](std::string_view command, bool is_invalid, oneline::Reply& reply) {
        answer(tank, command, is_invalid, reply);
    };

    try {
        oneline::Server server(std::move(config));
        g_server = &server;
        std::signal(SIGINT, stop_on_signal);
        std::signal(SIGTERM, stop_on_signal);
        int fd = -1;
        if (use_descriptor) {
            try {
                fd = server.wait_descriptor();
            } catch (const oneline::Error& error) {
                // Windows, or a POSIX system without kqueue: the server's own wait does the job.
                log->info(std::string("no wait descriptor here (") + error.what() + "); serve_once waits instead");
                use_descriptor = false;
            }
        }
        auto next_tick = Clock::now() + kTick;
        for (bool serving = true; serving;) {
            // Serve until the tick is due, then advance the simulation by exactly one step.
            if (use_descriptor) {
                wait_on_descriptor(fd, next_tick);
                serving = server.serve_once(0ms) == oneline::ServeStatus::serving;
            } else {
                const auto left = std::chrono::ceil<std::chrono::milliseconds>(next_tick - Clock::now());
                serving = server.serve_once(std::max(left, 0ms)) == oneline::ServeStatus::serving;
            }
            for (auto now = Clock::now(); serving && now >= next_tick; next_tick += kTick) {
                tank.advance(kTick);
            }
        }
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        g_server = nullptr;
    } catch (const oneline::Error& error) {
        std::cerr << "loop_server: " << error.what() << '\n';
        return 1;
    }
    log->info("stopped at tick " + std::to_string(tank.tick));
    return 0;
}
