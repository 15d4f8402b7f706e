#!/bin/sh
# A `oneline server --handler` in plain sh: answers each command with itself and how many came so
# far. The command arrives JSON-quoted; sent back quoted as it came, it needs no JSON parser.
count=0
while IFS= read -r line; do
    command=${line#'{"command": '}
    command=${command%', "invalid": '*}
    count=$((count + 1))
    printf '{"responses": [%s, "%d"]}\n' "$command" "$count"
done
