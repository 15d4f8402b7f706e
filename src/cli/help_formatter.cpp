#include "cli/help_formatter.hpp"

#include "cli/text_parts.hpp"

#include <cstddef>

namespace oneline::cli {
namespace {

constexpr std::size_t kIndent = 2;
constexpr std::size_t kGap = 2;  // the least space between a name and its description

// "  NAME  DESCRIPTION", the description in column `width`; on the next line
// when NAME leaves no room for the gap. Lines of a multi-line description
// start in that column too.
std::string format_entry(const std::string& name, const std::string& description, std::size_t width) {
    std::string text(kIndent, ' ');
    text += name;
    if (!description.empty()) {
        if (text.size() + kGap > width) {
            text += '\n';
            text.append(width, ' ');
        } else {
            text.append(width - text.size(), ' ');
        }
        for (const char c : description) {
            text += c;
            if (c == '\n') {
                text.append(width, ' ');
            }
        }
    }
    text += '\n';
    return text;
}

}  // namespace

std::string HelpFormatter::make_option(const CLI::Option* option, bool is_positional) const {
    return format_entry(make_option_name(option, is_positional) + make_option_opts(option), make_option_desc(option),
                        get_column_width());
}

std::string HelpFormatter::make_subcommand(const CLI::App* subcommand) const {
    return format_entry(subcommand->get_display_name(true), subcommand->get_description(), get_column_width());
}

std::string HelpFormatter::make_option_opts(const CLI::Option* option) const {
    if (option->get_type_size() == 0) {
        return {};  // a flag
    }
    std::string text;
    const std::string value_name = split(option->get_type_name(), ':').front();
    if (!value_name.empty()) {
        text += " " + value_name;
    }
    if (option->get_expected_max() >= CLI::detail::expected_max_vector_size) {
        text += " ...";
    }
    return text;
}

std::string HelpFormatter::make_option_desc(const CLI::Option* option) const {
    std::vector<std::string> notes = split(option->get_type_name(), ':');
    notes.erase(notes.begin());  // the value's name; the rest are the validators' descriptions
    if (option->get_type_size() != 0 && !option->get_default_str().empty()) {
        const std::string& value = option->get_default_str();
        notes.push_back("default " + (value.find(' ') == std::string::npos ? value : "'" + value + "'"));
    }
    for (const CLI::Option* other : option->get_excludes()) {
        notes.push_back("not with " + other->get_name());
    }
    for (const CLI::Option* other : option->get_needs()) {
        notes.push_back("only with " + other->get_name());  // without it: a usage error
    }
    if (notes.empty()) {
        return option->get_description();
    }
    return option->get_description() + " (" + join(notes, ", ") + ")";
}

}  // namespace oneline::cli
