#include "cli/usage.hpp"

#include "cli/text_parts.hpp"

#include <algorithm>
#include <cstddef>

namespace oneline::cli {
namespace {

/// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t replace = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + replace});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string closest = closest_word(word, candidates);
    return closest.empty() ? std::string() : "; did you mean " + in_quotes(closest) + "?";
}

/// Every name of every option of `command`: "-t", "--timeout", ...
std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        for (const std::string& name : split(option->get_name(false, true), ',')) {
            if (!name.empty() && name.front() == '-') {
                names.push_back(name);
            }
        }
    }
    return names;
}

/// What is wrong with `word`, an argument nobody took (an unknown option, subcommand or extra argument).
std::string unexpected(const std::string& word, const CLI::App& tool, const CLI::App* subcommand) {
    if (!word.empty() && word.front() == '-') {
        const std::string name = word.substr(0, word.find('='));  // "--tiemout=5": the option is before '='
        return "unknown option " + in_quotes(name) + suggestion(name, option_names(subcommand ? *subcommand : tool));
    }
    if (subcommand != nullptr) {
        return "unexpected argument " + in_quotes(word);
    }
    std::vector<std::string> names;
    for (const CLI::App* command : tool.get_subcommands({})) {
        names.push_back(command->get_name());
    }
    return in_quotes(word) + " is not a subcommand" + suggestion(word, names);
}

/// CLI11's message, with the option it begins with ("--timeout: ...") named as --help names it
/// ("-t,--timeout: ...").
std::string with_full_option_name(const CLI::Error& error, const CLI::App& command) {
    std::string message = error.what();
    for (const CLI::Option* option : command.get_options()) {
        const std::string name = option->get_name();
        if (name.empty() || message.rfind(name + ": ", 0) != 0) {
            continue;
        }
        const std::string full_name = option->get_name(false, true);
        if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr && option->get_type_size() != 0) {
            // "--timeout: 1 required SECONDS:> 0 missing"
            return full_name + ": " + split(option->get_type_name(), ':').front() + " is missing";
        }
        return full_name + message.substr(name.size());
    }
    return message;
}

}  // namespace

std::string usage_error(const CLI::App& tool, const CLI::Error& error) {
    const std::vector<CLI::App*> chosen = tool.get_subcommands();
    const CLI::App* subcommand = chosen.empty() ? nullptr : chosen.front();
    const std::string who = "oneline" + (subcommand ? " " + subcommand->get_name() : std::string());

    const std::vector<std::string> left = tool.remaining(true);
    std::string what;
    if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr && !left.empty()) {
        what = unexpected(left.front(), tool, subcommand);
    } else if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr && subcommand == nullptr) {
        if (left.empty()) {
            std::vector<std::string> names;
            for (const CLI::App* command : tool.get_subcommands({})) {
                names.push_back(command->get_name());
            }
            what = "a subcommand is required: " + join(names, ", ");
        } else {
            what = unexpected(left.front(), tool, subcommand);
        }
    } else {
        what = with_full_option_name(error, subcommand ? *subcommand : tool);
    }
    return who + ": " + what + " (see '" + who + " --help')";
}

std::string closest_word(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = 3;      // a typo is at most two edits, and one per three letters
    std::vector<std::string> extended;  // candidates that `word` begins
    for (const std::string& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance && distance * 3 <= word.size()) {
            best = candidate;
            best_distance = distance;
        }
        if (!word.empty() && candidate.size() > word.size() && candidate.compare(0, word.size(), word) == 0) {
            extended.push_back(candidate);
        }
    }
    if (best.empty() && extended.size() == 1) {
        return extended.front();
    }
    return best;
}

}  // namespace oneline::cli
