#include "cli/options.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <iostream>
#include <new>

namespace oneline::cli {

std::string Endpoint::text() const {
    if (address.rfind("unix:", 0) == 0) {
        return address;  // a Unix domain socket: the port plays no part
    }
    const bool ipv6_literal = address.find(':') != std::string::npos;
    return (ipv6_literal ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

void add_endpoint_options(CLI::App& command, Endpoint& endpoint) {
    command
        .add_option("-a,--address", endpoint.address,
                    "IPv4/IPv6 address or host name, or unix:PATH for a Unix domain socket (then -p is ignored)")
        ->capture_default_str();
    command.add_option("-p,--port", endpoint.port, "TCP port (not used with -a unix:PATH)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
}

void add_timeout_option(CLI::App& command, double& seconds) {
    command.add_option("-t,--timeout", seconds, "seconds to wait for each answer")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

std::chrono::milliseconds to_milliseconds(double seconds) {
    // Far beyond any sensible timeout, and far from overflowing the int poll() takes.
    constexpr double kLongest = 1e6;
    const double ms = std::ceil(std::min(seconds, kLongest) * 1000.0);
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms));
}

void fail(std::string_view command, std::string_view message, ExitCode code) {
    std::cerr << "oneline " << command << ": " << message << std::endl;
    throw CLI::RuntimeError(code);
}

void run_guarded(std::string_view command, const std::function<void()>& body) {
    try {
        body();
    } catch (const CLI::Error&) {
        throw;  // fail() has said why
    } catch (const std::bad_alloc&) {
        fail(command, "out of memory");
    } catch (const std::exception& error) {
        fail(command, error.what());
    } catch (...) {
        fail(command, "unexpected error");
    }
}

}  // namespace oneline::cli
