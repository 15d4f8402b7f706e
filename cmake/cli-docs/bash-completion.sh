#!/usr/bin/env bash
# Writes the bash completion of the `oneline` tool from its --help and each
# subcommand's --help, so it completes what the built tool accepts. Run at build time.
#
#   bash-completion.sh PROGRAM OUT_FILE
#
# Completed: the subcommands and the tool's options; each subcommand's options;
# after an option whose value the help calls FILE or PATH, file names (also as
# one of its ":" parts, as in CLI11's "TEXT:FILE" or "PATH(existing)"); after
# DIR, directories; after CMD, command names; after any other option that takes
# a value, nothing (the value is the user's).
set -euo pipefail

program=$1
out_file=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/help.sh"

# The option lists of one --help: every name; the names that take a value; those whose value is a
# file, a directory or a command; what each name leaves out once given, as "NAME>LEFT_OUT" pairs:
# every name of an option its help says it is "not with", and its own names when it takes one
# value only.
option_lists() {
    local names value description many all='' valued='' files='' dirs='' commands='' excludes=''
    local kinds kind
    local -A names_of=()
    local -a entries=()
    mapfile -t entries < <(help_options "$@")
    for entry in "${entries[@]}"; do
        IFS=$'\t' read -r names _ <<<"$entry"
        for kind in $names; do names_of[$kind]=$names; done
    done
    for entry in "${entries[@]}"; do
        IFS=$'\t' read -r names value description many <<<"$entry"
        all+=" $names"
        local rest=$description excluded name other
        while [[ $rest =~ not\ with\ (-[-A-Za-z0-9]+)(.*) ]]; do
            excluded=${BASH_REMATCH[1]}
            rest=${BASH_REMATCH[2]}
            for name in $names; do
                for other in ${names_of[$excluded]:-$excluded}; do excludes+=" $name>$other"; done
            done
        done
        [ "$value" != - ] || continue
        valued+=" $names"
        if [ "$many" != 1 ]; then
            for name in $names; do
                for other in $names; do excludes+=" $name>$other"; done
            done
        fi
        IFS=: read -ra kinds <<<"$value"
        for kind in "${kinds[@]}"; do
            case ${kind%%(*} in
                FILE | PATH) files+=" $names" && break ;;
                DIR) dirs+=" $names" && break ;;
                CMD | COMMAND) commands+=" $names" && break ;;
            esac
        done
    done
    printf '%s\n' "${all# }" "${valued# }" "${files# }" "${dirs# }" "${commands# }" "${excludes# }"
}

# A subcommand's name as part of a shell variable name.
variable_name() {
    printf '%s' "${1//[^A-Za-z0-9_]/_}"
}

mapfile -t lists < <(option_lists "$program")
subcommands=''
tables=''
while IFS=$'\t' read -r name _; do
    subcommands+=" $name"
    mapfile -t lists_of_sub < <(option_lists "$program" "$name")
    takes_arguments=0
    help_text "$program" "$name" | grep -q '^Positionals:' && takes_arguments=1
    suffix=$(variable_name "$name")
    tables+="_oneline_options_$suffix='${lists_of_sub[0]}'
_oneline_valued_$suffix='${lists_of_sub[1]}'
_oneline_files_$suffix='${lists_of_sub[2]}'
_oneline_dirs_$suffix='${lists_of_sub[3]}'
_oneline_commands_$suffix='${lists_of_sub[4]}'
_oneline_excludes_$suffix='${lists_of_sub[5]}'
_oneline_arguments_$suffix=$takes_arguments
"
done < <(help_subcommands "$program")

tmp=$out_file.tmp
cat >"$tmp" <<SCRIPT
# bash completion for oneline                               -*- shell-script -*-
# shellcheck shell=bash
# Generated from \`oneline --help\` and each subcommand's --help when the tool
# was built ($("$program" --version | head -n 1)); rebuild instead of editing.

_oneline_subcommands='${subcommands# }'
_oneline_options='${lists[0]}'
# Per subcommand: its options; those that take a value; of those, the ones whose value is a file,
# a directory or a command; what each name leaves out once given ("NAME>LEFT_OUT"); whether it takes arguments besides options (1) or not (0).
$tables
# _oneline_has WORD LIST: whether WORD is one of the words of LIST.
_oneline_has() {
    [[ " \$2 " == *" \$1 "* ]]
}

_oneline() {
    local cur=\${COMP_WORDS[COMP_CWORD]} subcommand='' option='' i word
    COMPREPLY=()
    # The subcommand is the first word after the tool's name that is not an option.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=\${COMP_WORDS[i]}
        if [[ \$word != -* ]]; then
            subcommand=\$word
            break
        fi
    done
    if [[ -z \$subcommand ]]; then
        mapfile -t COMPREPLY < <(compgen -W "\$_oneline_subcommands \$_oneline_options" -- "\$cur")
        return 0
    fi
    _oneline_has "\$subcommand" "\$_oneline_subcommands" || return 0
    local suffix=\${subcommand//[^A-Za-z0-9_]/_}
    local options_name=_oneline_options_\$suffix valued_name=_oneline_valued_\$suffix
    local files_name=_oneline_files_\$suffix dirs_name=_oneline_dirs_\$suffix
    local commands_name=_oneline_commands_\$suffix arguments_name=_oneline_arguments_\$suffix
    local excludes_name=_oneline_excludes_\$suffix

    # After "--" every word is an argument. The options given so far leave out the options they
    # exclude, and themselves when they take one value only.
    local left_out='' pair
    for ((i = i + 1; i < COMP_CWORD; i++)); do
        word=\${COMP_WORDS[i]}
        [[ \$word == -- ]] && return 0
        [[ \$word == -* ]] || continue
        for pair in \${!excludes_name}; do
            [[ \${pair%%>*} == "\$word" ]] && left_out+=" \${pair#*>}"
        done
    done

    # The option whose value is being typed: "--file x", or "--file=x", which bash splits at "=".
    if [[ \$cur == = ]]; then
        option=\${COMP_WORDS[COMP_CWORD - 1]}
        cur=''
    elif ((COMP_CWORD >= 2)) && [[ \${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
        option=\${COMP_WORDS[COMP_CWORD - 2]}
    elif ((COMP_CWORD >= 2)) && _oneline_has "\${COMP_WORDS[COMP_CWORD - 1]}" "\${!valued_name}"; then
        option=\${COMP_WORDS[COMP_CWORD - 1]}
    fi
    if [[ -n \$option ]]; then
        if _oneline_has "\$option" "\${!files_name}"; then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "\$cur")
        elif _oneline_has "\$option" "\${!dirs_name}"; then
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "\$cur")
        elif _oneline_has "\$option" "\${!commands_name}"; then
            mapfile -t COMPREPLY < <(compgen -c -- "\$cur" | sort -u)
        fi
        return 0
    fi
    if [[ \$cur == -* || \${!arguments_name} == 0 ]]; then
        local offered='' name
        for name in \${!options_name}; do
            _oneline_has "\$name" "\$left_out" || offered+=" \$name"
        done
        mapfile -t COMPREPLY < <(compgen -W "\$offered" -- "\$cur")
    fi
    return 0
}
complete -F _oneline oneline
SCRIPT
bash -n "$tmp"
mv "$tmp" "$out_file"
