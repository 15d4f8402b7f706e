#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace oneline::cli {

/// CLI11's help layout, with one difference: a name always stands at least
/// two spaces from its description, or alone on its line with the description
/// below. CLI11 leaves a single space when a name is one column short of the
/// description column ("-a,--address TEXT=127.0.0.1 IPv4/IPv6 ..."), and
/// readers of --help (help2man, the bash completion generator) tell a name
/// from its description by two spaces. Set on the top-level app before the
/// subcommands are added, which inherit it.
class HelpFormatter : public CLI::Formatter {
public:
    std::string make_option(const CLI::Option* option, bool is_positional) const override;
    std::string make_subcommand(const CLI::App* subcommand) const override;
};

}  // namespace oneline::cli
