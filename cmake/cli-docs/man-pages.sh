#!/usr/bin/env bash
# Writes the `oneline` tool's man pages from its --help with help2man:
# oneline(1) for the tool and oneline-SUBCOMMAND(1) for each subcommand its
# --help lists, so the pages say what the built tool says. Run at build time.
#
#   man-pages.sh PROGRAM OUT_DIR INCLUDE_DIR
#
# INCLUDE_DIR holds the help2man material (description, exit status,
# environment, files, examples, see also) of each page: oneline.h2m and
# oneline-SUBCOMMAND.h2m. A subcommand without one gets the --help's part
# only (and fails the docs test). Pages of subcommands that are gone are removed.
set -euo pipefail

program=$1
out_dir=$2
include_dir=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/help.sh"

version=$("$program" --version | head -n 1)
mapfile -t subcommands < <(help_subcommands "$program")
[ ${#subcommands[@]} -gt 0 ] || { echo "man-pages.sh: no subcommands in '$program --help'" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir"
# Pages are written aside and moved in at the end, so a failure leaves no half set.
pages=()

# help2man runs a program with --help; a subcommand's page comes from a stand-in
# named after the page that runs `oneline SUBCOMMAND "$@"`.
see_also_tool=""
for entry in "${subcommands[@]}"; do
    name=${entry%%$'\t'*}
    summary=${entry#*$'\t'}
    page=oneline-$name
    printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$program" "$name" >"$work/$page"
    chmod +x "$work/$page"
    includes=()
    [ ! -f "$include_dir/$page.h2m" ] || includes=(--include="$include_dir/$page.h2m")
    help2man --no-info --section=1 --source="oneline $version" --version-string="$page $version" \
        --name="$summary" "${includes[@]}" --output="$work/$page.1" "$work/$page"
    pages+=("$page.1")
    see_also_tool+="${see_also_tool:+,
}.BR oneline\\-$name (1)"
done

printf '[SEE ALSO]\n%s\n' "$see_also_tool" >"$work/oneline-see-also.h2m"
help2man --no-info --section=1 --source="oneline $version" --name="$(help_summary "$program" | sed 's/\.$//')" \
    --include="$include_dir/oneline.h2m" --include="$work/oneline-see-also.h2m" --output="$work/oneline.1" "$program"
pages+=(oneline.1)

for page in "$out_dir"/oneline*.1; do
    [ -e "$page" ] || continue
    case " ${pages[*]} " in *" $(basename "$page") "*) ;; *) rm -f "$page" ;; esac
done
for page in "${pages[@]}"; do
    mv "$work/$page" "$out_dir/$page"
done
