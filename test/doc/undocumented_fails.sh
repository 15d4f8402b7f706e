#!/usr/bin/env bash
# ./do_doc fails when one public declaration loses its doc comment: a copy of the public headers
# with the comment of Logger::info removed is fed to it (ONELINE_DOC_HEADERS), and the run must
# fail naming that member; the untouched copy must pass (and its pages name the version set in
# CMakeLists.txt), so that the removal is what failed it.
# The source tree is never edited.
#
#   test/doc/undocumented_fails.sh [SOURCE_DIR]
set -euo pipefail
source_dir=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$source_dir/include/oneline" "$work/intact"
cp -r "$source_dir/include/oneline" "$work/altered"

# Drop the doc comment line(s) right above `virtual void info(`.
/usr/bin/python3 - "$work/altered/logger.hpp" <<'PY'
import pathlib, sys
path = pathlib.Path(sys.argv[1])
lines = path.read_text().splitlines(keepends=True)
at = next(i for i, line in enumerate(lines) if "virtual void info(" in line)
start = at
while start > 0 and lines[start - 1].lstrip().startswith("///"):
    start -= 1
if start == at:
    sys.exit("logger.hpp: Logger::info has no doc comment to remove")
path.write_text("".join(lines[:start] + lines[at:]))
PY
if diff -q "$work/intact/logger.hpp" "$work/altered/logger.hpp" > /dev/null; then
    echo "FAIL: the altered header is the same as the intact one" >&2
    exit 1
fi

echo "--- do_doc with the intact headers"
ONELINE_DOC_HEADERS="$work/intact" ONELINE_DOC_OUT="$work/out-intact" "$source_dir/do_doc"

version=$(sed -n 's/^project(oneline VERSION \([0-9][0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
grep -q "$version" "$work/out-intact/html/index.html" || { echo "FAIL: the API pages do not name version $version" >&2; exit 1; }
for page in client_8hpp server_8hpp errors_8hpp logger_8hpp decoding_8hpp version_8hpp oneline_8hpp \
            sample_server_8cpp-example sample_client_8cpp-example loop_server_8cpp-example; do
    [ -f "$work/out-intact/html/$page.html" ] || { echo "FAIL: no API page $page.html" >&2; exit 1; }
done

echo "--- do_doc with Logger::info's doc comment removed"
status=0
ONELINE_DOC_HEADERS="$work/altered" ONELINE_DOC_OUT="$work/out-altered" "$source_dir/do_doc" \
    > "$work/altered.log" 2>&1 || status=$?
cat "$work/altered.log"
if [ "$status" -eq 0 ]; then
    echo "FAIL: do_doc passed with an undocumented public member" >&2
    exit 1
fi
if ! grep -q "info.*is not documented" "$work/altered.log"; then
    echo "FAIL: do_doc failed, but not naming the undocumented Logger::info" >&2
    exit 1
fi
echo "PASS: do_doc fails when a public doc comment is removed"
