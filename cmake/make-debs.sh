#!/usr/bin/env bash
# Makes the Debian package from two builds of one source tree: STATIC_BUILD (the static library
# and the tool, with its man pages and completion) and SHARED_BUILD (-DBUILD_SHARED_LIBS=ON, the
# library alone), both installed into one package by CPack's DEB generator. Writes the .deb into
# OUT_DIR.
#
#   cmake/make-debs.sh STATIC_BUILD SHARED_BUILD OUT_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 STATIC_BUILD SHARED_BUILD OUT_DIR" >&2; exit 2; }
static_build=$(cd "$1" && pwd)
shared_build=$(cd "$2" && pwd)
mkdir -p "$3"
out=$(cd "$3" && pwd)
work="$out/_cpack"
rm -rf "$work"
cpack -G DEB --config "$static_build/CPackConfig.cmake" -B "$work" \
    -D "CPACK_INSTALL_CMAKE_PROJECTS=$static_build;oneline;ALL;/;$shared_build;oneline;ALL;/" \
    > "$out/cpack.log" 2>&1 || { cat "$out/cpack.log" >&2; exit 1; }
mv "$work"/*.deb "$out/"
rm -rf "$work"
ls "$out"/*.deb
