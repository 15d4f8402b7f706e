#include "cli/fault_options.hpp"

#include "cli/options.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace oneline::cli {
namespace {

constexpr std::string_view kKinds = "delay, drop, truncate, close-after, reset-after, stall-after";
// A delay longer than an hour is a mistake, not a test.
constexpr std::uint64_t kLongestDelayMs = 3'600'000;

std::string quoted_text(std::string_view text) { return "'" + std::string(text) + "'"; }

/// A delay's milliseconds, or nothing when `text` is not a whole number up to an hour.
std::optional<std::chrono::milliseconds> delay_ms(const std::string& text) {
    const std::optional<std::uint64_t> value = parse_whole_number(text);
    if (!value || *value > kLongestDelayMs) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*value));
}

std::string set_delay(const std::string& value, Faults& faults) {
    const std::size_t dash = value.find('-');
    const std::optional<std::chrono::milliseconds> low = delay_ms(value.substr(0, dash));
    const std::optional<std::chrono::milliseconds> high =
        dash == std::string::npos ? low : delay_ms(value.substr(dash + 1));
    if (!low || !high) {
        return "delay takes MS or MIN-MAX, whole milliseconds up to " + std::to_string(kLongestDelayMs) + ", not " +
               quoted_text(value);
    }
    if (*low > *high) {
        return "delay " + quoted_text(value) + ": the minimum is above the maximum";
    }
    faults.delay_min = *low;
    faults.delay_max = *high;
    return {};
}

std::string set_probability(std::string_view kind, const std::string& value, double& probability) {
    const std::optional<double> number = parse_unsigned_number(value);
    if (!number || *number > 1.0) {
        return std::string(kind) + " takes a probability from 0 to 1, not " + quoted_text(value);
    }
    probability = *number;
    return {};
}

std::string set_count(std::string_view kind, const std::string& value, std::uint64_t& count) {
    const std::optional<std::uint64_t> number = parse_whole_number(value);
    if (!number || *number == 0) {
        return std::string(kind) + " takes a number of commands >= 1, not " + quoted_text(value);
    }
    count = *number;
    return {};
}

}  // namespace

std::string apply_fault(const std::string& text, Faults& faults) {
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos) {
        return quoted_text(text) + " is not KIND=VALUE (kinds: " + std::string(kKinds) + ")";
    }
    const std::string kind = text.substr(0, equals);
    const std::string value = text.substr(equals + 1);
    if (kind == "delay") {
        return set_delay(value, faults);
    }
    if (kind == "drop") {
        return set_probability(kind, value, faults.drop);
    }
    if (kind == "truncate") {
        return set_probability(kind, value, faults.truncate);
    }
    if (kind == "close-after") {
        return set_count(kind, value, faults.close_after);
    }
    if (kind == "reset-after") {
        return set_count(kind, value, faults.reset_after);
    }
    if (kind == "stall-after") {
        return set_count(kind, value, faults.stall_after);
    }
    return "unknown fault kind " + quoted_text(kind) + " (kinds: " + std::string(kKinds) + ")";
}

void add_fault_options(CLI::App& command, Faults& faults) {
    command
        .add_option_function<std::vector<std::string>>(
            "--fault",
            [&faults](const std::vector<std::string>& texts) {
                for (const std::string& text : texts) {
                    apply_fault(text, faults);  // checked below already
                }
            },
            "misbehave on purpose for the responses of non-built-in commands (repeatable): delay=MS or "
            "delay=MIN-MAX (held, in order), drop=P, truncate=P (probabilities), close-after=N, "
            "reset-after=N, stall-after=N (each client's Nth command)")
        ->type_name("KIND=VALUE")
        ->allow_extra_args(false)
        ->check(CLI::Validator(
            [](const std::string& text) {
                Faults scratch;
                return apply_fault(text, scratch);
            },
            ""));
    command
        .add_option_function<std::string>(
            "--fault-seed", [&faults](const std::string& text) { faults.seed = parse_whole_number(text); },
            "draw the faults from this seed: the same seed, the same faults for the same commands "
            "(default: a new one each run, logged with -v)")
        ->type_name("N")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return parse_whole_number(text) ? std::string() : quoted_text(text) + " is not a whole number";
            },
            ""));
}

}  // namespace oneline::cli
