#!/usr/bin/env bash
# Builds test/subproject (oneline through add_subdirectory) in WORK_DIR, shared or static, and runs
# its consumer. For the shared build it also checks the library: its SONAME is liboneline.so.MAJOR,
# and it exports the public API only (hidden visibility: no internal namespace is exported).
#
#   test/subproject/run.sh SOURCE_DIR WORK_DIR VERSION shared|static
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 SOURCE_DIR WORK_DIR VERSION shared|static" >&2; exit 2; }
source_dir=$(cd "$1" && pwd)
work=$2
version=$3
kind=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
shared=OFF
[ "$kind" = shared ] && shared=ON

rm -rf "$work"
cmake -S "$source_dir/test/subproject" -B "$work" -DONELINE_SOURCE_DIR="$source_dir" -DEXPECTED_VERSION="$version" \
    -DBUILD_SHARED_LIBS=$shared -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$work.configure.log" 2>&1 \
    || { cat "$work.configure.log"; fail "configure"; }
cmake --build "$work" -j "${JOBS:-2}" > "$work.build.log" 2>&1 || { tail -n 40 "$work.build.log"; fail "build"; }
"$work/consumer" || fail "the consumer"

[ "$kind" = shared ] || { echo "PASS: oneline as a static subproject"; exit 0; }

library=$(find "$work/oneline" -name 'liboneline.so.*.*' -type f | head -n 1)
[ -n "$library" ] || fail "no liboneline.so.X.Y.Z was built"
major=${version%%.*}
soname=$(objdump -p "$library" | sed -n 's/^ *SONAME *//p')
[ "$soname" = "liboneline.so.$major" ] || fail "SONAME is '$soname', expected liboneline.so.$major"
ldd "$work/consumer" | grep -q "liboneline\.so\.$major" || fail "the consumer does not load liboneline.so.$major"

nm -D --defined-only -C "$library" | sed 's/^[0-9a-f]* [A-Za-z] //' > "$work.exports"
grep -q '^oneline::Server::Server(' "$work.exports" || fail "oneline::Server's constructor is not exported"
grep -q 'typeinfo for oneline::MissingParameters' "$work.exports" || fail "MissingParameters' type information is not exported"
# The public API: every class and function the headers mark ONELINE_EXPORT (a new public header's too).
public=$(sed -nE 's/.*(class|struct) ONELINE_EXPORT ([A-Za-z_][A-Za-z0-9_]*).*/\2/p; s/^ONELINE_EXPORT .*[ &*]([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' \
    "$source_dir"/include/oneline/*.hpp | sort -u | paste -sd'|')
[ -n "$public" ] || fail "no ONELINE_EXPORT declaration found in include/oneline/"
if grep 'oneline::' "$work.exports" | grep -Ev "(^|[^:])oneline::($public)\b" | grep -E 'oneline::' > "$work.internal"; then
    head -n 20 "$work.internal" >&2
    fail "the shared library exports more than the public API ($(wc -l < "$work.internal") symbols above)"
fi
if grep -Eq 'oneline::(net|server|framing|log|platform)::|oneline::\(anonymous' "$work.exports"; then
    grep -E 'oneline::(net|server|framing|log|platform)::' "$work.exports" | head >&2
    fail "an internal namespace is exported"
fi
echo "PASS: liboneline.so ($soname) as a subproject: $(grep -c 'oneline::' "$work.exports") public symbols, no internal one"
