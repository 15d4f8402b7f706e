# shellcheck shell=bash
# Reads the `oneline` tool's --help, for the generators of its man pages and
# bash completion (sourced, not run). The layout read is CLI11's with the
# tool's HelpFormatter: an entry is "  NAMES[ VALUE]" then two or more spaces
# (or a line break) and its description; option names start with '-' and are
# separated by commas; the subcommands follow a "Subcommands:" line.

# help_text PROGRAM [SUBCOMMAND]: the --help of the tool or of one subcommand. Fails when it fails.
help_text() {
    local program=$1
    shift
    "$program" "$@" --help
}

# help_summary PROGRAM: the tool's one-line description (the first line of its --help).
help_summary() {
    help_text "$1" | head -n 1
}

# help_subcommands PROGRAM: one line per subcommand, "NAME<TAB>DESCRIPTION".
help_subcommands() {
    help_text "$1" | awk '
        /^Subcommands:/ { inside = 1; next }
        inside && /^[^ ]/ { inside = 0 }
        inside && /^  [^ -]/ {
            name = $1
            description = $0
            sub(/^  [^ ]+ */, "", description)
            printf "%s\t%s\n", name, description
        }'
}

# help_options PROGRAM [SUBCOMMAND]: one line per option, "NAMES<TAB>VALUE<TAB>DESCRIPTION<TAB>MANY":
# NAMES its names separated by spaces ("-a --address"), VALUE the kind of value it takes as the
# help names it, its default left out ("TEXT", "INT:INT", "CMD", "TEXT:FILE" for a file that must
# exist; "-" for a flag: never empty, since `read` would merge two tabs), DESCRIPTION as the help
# gives it (on the entry's line or on the indented line below), MANY 1 when its value may be given
# again ("VALUE ..."), else 0.
help_options() {
    help_text "$@" | awk '
        function flush() {
            if (names != "") printf "%s\t%s\t%s\t%d\n", names, value, description, many
            names = ""
        }
        /^  -/ {
            flush()
            entry = substr($0, 3)
            split(entry, parts, /  +/)
            head = parts[1]
            description = ""
            if (match(entry, /  +/)) description = substr(entry, RSTART + RLENGTH)
            split(head, words, " ")
            names = words[1]
            gsub(/,/, " ", names)
            value = "-"
            many = (words[3] == "...")
            # The value kind: an upper-case word, alone or followed by ":", "(" or "=":
            # "INT:INT", "TEXT=ping", "PATH(existing)"; its default ("=...") left out.
            if (words[2] ~ /^[A-Z][A-Z0-9_]*([:=(].*)?$/) {
                value = words[2]
                sub(/=.*/, "", value)
            }
            next
        }
        names != "" && description == "" && /^ +[^ ]/ {
            description = $0
            sub(/^ +/, "", description)
            next
        }
        { flush() }
        END { flush() }'
}
