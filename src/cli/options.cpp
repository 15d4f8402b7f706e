#include "cli/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <limits>
#include <new>
#include <optional>
#include <system_error>

namespace oneline::cli {
namespace {

std::string in_quotes(const std::string& text) { return "'" + text + "'"; }

std::string range_text(std::uint64_t min, std::uint64_t max) {
    if (max == std::numeric_limits<std::uint64_t>::max()) {
        return ">= " + std::to_string(min);
    }
    return std::to_string(min) + ".." + std::to_string(max);
}

}  // namespace

std::optional<std::uint64_t> parse_whole_number(const std::string& text) {
    if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front())) == 0) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> parse_unsigned_number(const std::string& text) {
    // A leading digit or point shuts out signs, blanks, "inf", "nan" and hexadecimal ("0x" is refused below).
    if (text.empty() || (std::isdigit(static_cast<unsigned char>(text.front())) == 0 && text.front() != '.') ||
        text.find_first_of("xX") != std::string::npos) {
        return std::nullopt;
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

CLI::Validator seconds_check(bool zero_allowed) {
    const std::string rule = zero_allowed ? ">= 0" : "> 0";
    return CLI::Validator(
        [zero_allowed, rule](const std::string& text) {
            const std::optional<double> value = parse_unsigned_number(text);
            if (value && (*value > 0 || (zero_allowed && *value == 0))) {
                return std::string();
            }
            return in_quotes(text) + " is not a number of seconds " + rule;
        },
        rule);
}

CLI::Validator whole_number_check(std::uint64_t min, std::uint64_t max, const std::string& unit) {
    const std::string rule = range_text(min, max);
    return CLI::Validator(
        [min, max, rule, unit](const std::string& text) {
            const std::optional<std::uint64_t> value = parse_whole_number(text);
            if (value && *value >= min && *value <= max) {
                return std::string();
            }
            if (value && *value > max) {
                return in_quotes(text) + " is more than " + std::to_string(max) + " " + unit;
            }
            return in_quotes(text) + " is not a number of " + unit + " " + rule;
        },
        rule);
}

CLI::Validator port_check(PortUse use) {
    const std::uint64_t min = use == PortUse::listen ? 0 : 1;
    const std::string rule = range_text(min, 65535);
    return CLI::Validator(
        [min, rule](const std::string& text) {
            const std::optional<std::uint64_t> value = parse_whole_number(text);
            if (value && *value >= min && *value <= 65535) {
                return std::string();
            }
            std::string message = in_quotes(text) + " is not a port number " + rule;
            if (value && *value == 0) {
                message += "; only a server can use 0";
            }
            return message;
        },
        rule);
}

CLI::Validator address_check() {
    return CLI::Validator(
        [](const std::string& text) {
            return text.empty() ? "'' is not an IPv4/IPv6 address or host name" : std::string();
        },
        "");
}

CLI::Validator single_line_check() {
    return CLI::Validator(
        [](const std::string& text) {
            return text.find('\n') == std::string::npos
                       ? std::string()
                       : std::string("a line feed cannot be part of it (0x0A ends a line)");
        },
        "");
}

std::string Endpoint::host() const {
    const bool bracketed = address.size() >= 2 && address.front() == '[' && address.back() == ']';
    return bracketed ? address.substr(1, address.size() - 2) : address;
}

std::string Endpoint::text() const {
    if (address.rfind("unix:", 0) == 0) {
        return address;  // a Unix domain socket: the port plays no part
    }
    const std::string bare = host();
    const bool ipv6_literal = bare.find(':') != std::string::npos;
    return (ipv6_literal ? "[" + bare + "]" : bare) + ":" + std::to_string(port);
}

void add_endpoint_options(CLI::App& command, Endpoint& endpoint, PortUse use) {
    const bool listen = use == PortUse::listen;
    command
        .add_option("-a,--address", endpoint.address,
                    listen
                        ? "IPv4/IPv6 address ([::1] or ::1) or host name to listen on, or unix:PATH for a Unix domain "
                          "socket (then -p is ignored)"
                        : "IPv4/IPv6 address ([::1] or ::1) or host name of the server, or unix:PATH for a Unix domain "
                          "socket (then -p is ignored)")
        ->type_name("ADDRESS")
        ->check(address_check())
        ->capture_default_str();
    command.add_option("-p,--port", endpoint.port, listen ? "TCP port; 0: the system picks a free one" : "TCP port")
        ->type_name("PORT")
        ->check(port_check(use))
        ->capture_default_str();
}

void add_timeout_option(CLI::App& command, double& seconds, const std::string& description) {
    add_seconds_option(command, "-t,--timeout", seconds, description, false);
}

CLI::Option* add_seconds_option(CLI::App& command, const std::string& names, double& seconds,
                                const std::string& description, bool zero_allowed) {
    return command.add_option(names, seconds, description)
        ->type_name("SECONDS")
        ->check(seconds_check(zero_allowed))
        ->capture_default_str();
}

void add_wait_option(CLI::App& command, double& seconds) {
    add_seconds_option(command, "--wait", seconds,
                       "keep trying to connect for this many seconds while the server is not up yet", true);
}

std::chrono::milliseconds to_milliseconds(double seconds) {
    // Far beyond any sensible timeout, and far from overflowing the int poll() takes.
    constexpr double kLongest = 1e6;
    const double ms = std::ceil(std::min(seconds, kLongest) * 1000.0);
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms));
}

void fail(std::string_view command, std::string_view message, ExitCode code) {
    std::cerr << "oneline " << command << ": " << message;
    if (code == exit_usage) {
        std::cerr << " (see 'oneline " << command << " --help')";  // as every parser error says it
    }
    std::cerr << std::endl;
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
