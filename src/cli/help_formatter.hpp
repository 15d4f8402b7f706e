#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace oneline::cli {

/// The help layout: "-t,--timeout SECONDS  seconds to wait ... (> 0, default 5)". Each option
/// shows its value's name; its rule (the validators' descriptions), its default and the options it
/// excludes go after the description, in words. A name always stands at least
/// two spaces from its description, or alone on its line with the description
/// below. CLI11 leaves a single space when a name is one column short of the
/// description column ("-a,--address TEXT=127.0.0.1 IPv4/IPv6 ..."), and
/// readers of --help (help2man, the bash completion generator) tell a name
/// from its description by two spaces. Set on the top-level app before the
/// subcommands are added, which inherit it.
class HelpFormatter final : public CLI::Formatter {
public:
    std::string make_option_opts(const CLI::Option* option) const override;
    std::string make_option_desc(const CLI::Option* option) const override;
    std::string make_option(const CLI::Option* option, bool is_positional) const override;
    std::string make_subcommand(const CLI::App* subcommand) const override;
};

}  // namespace oneline::cli
