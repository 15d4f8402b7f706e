#!/usr/bin/env bash
# The Debian package on this machine, for real: installs it with dpkg -i, runs `oneline --version`
# and `man oneline`, builds and runs a consumer through find_package (static and shared) and one
# through pkg-config, removes the package with dpkg -r and finds none of its files left. The
# package is removed on every way out, failures and interruptions too.
#
#   test/package/deb_test.sh --debs DIR SOURCE_DIR           the .deb in DIR (./do_publish's)
#   test/package/deb_test.sh --build BUILD_DIR SOURCE_DIR    first makes it from BUILD_DIR (the
#                                                            static library and the tool) and a
#                                                            shared build of the library beside it
#
# Exits 77 (ctest: skipped), saying why, when not root or when a package named oneline is
# installed already (it is never replaced).
set -euo pipefail
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ $# -eq 3 ] || { echo "usage: $0 --debs DIR SOURCE_DIR | --build BUILD_DIR SOURCE_DIR" >&2; exit 2; }
mode=$1
source_dir=$(cd "$3" && pwd)

[ "$(id -u)" -eq 0 ] || skip "not root: dpkg -i needs root to install the package on this machine"
command -v dpkg > /dev/null || skip "no dpkg on this system"
installed() { dpkg-query -W -f='${Status}' oneline 2>/dev/null | grep -q "install ok installed"; }
installed && skip "a package named oneline is installed already; it is not replaced"

work=$(mktemp -d)
we_installed=0
cleanup() {
    if [ "$we_installed" -eq 1 ] && dpkg-query -W oneline > /dev/null 2>&1; then
        dpkg --purge oneline > /dev/null 2>&1 || dpkg --purge --force-all oneline > /dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case "$mode" in
--debs)
    debs=$(cd "$2" && pwd)
    ;;
--build)
    build_dir=$(cd "$2" && pwd)
    shared="$build_dir/package-test/shared"
    echo "--- a shared build of the library beside $build_dir"
    cmake -S "$source_dir" -B "$shared" -DBUILD_SHARED_LIBS=ON -DONELINE_BUILD_CLI=OFF -DONELINE_BUILD_TESTS=OFF \
        -DONELINE_BUILD_SAMPLE=OFF -DONELINE_BUILD_BENCH=OFF -DONELINE_INSTALL=ON \
        -DCMAKE_BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")" > "$work/shared.log" \
        || { cat "$work/shared.log"; fail "configuring the shared build"; }
    cmake --build "$shared" -j "${JOBS:-2}" >> "$work/shared.log" 2>&1 || { tail -n 30 "$work/shared.log"; fail "building it"; }
    debs="$build_dir/package-test/debs"
    rm -rf "$debs"
    "$source_dir/cmake/make-debs.sh" "$build_dir" "$shared" "$debs"
    ;;
*) echo "usage: $0 --debs DIR SOURCE_DIR | --build BUILD_DIR SOURCE_DIR" >&2; exit 2 ;;
esac

shopt -s nullglob
packages=("$debs"/oneline_*.deb)
[ ${#packages[@]} -eq 1 ] || fail "expected one oneline_*.deb in $debs, found ${#packages[@]}"
deb=${packages[0]}
version=$(dpkg-deb -f "$deb" Version)
version=${version%-*}  # less the Debian revision
echo "--- $deb: version $version, depends: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q "libc6" || fail "no dependencies from dpkg-shlibdeps"
dpkg-deb -f "$deb" Description | grep -q "MIT" || fail "the description does not name the license"

echo "--- dpkg -i"
we_installed=1
dpkg -i "$deb" > "$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log"; fail "dpkg -i"; }
installed || fail "dpkg -i did not leave oneline installed"
dpkg -L oneline > "$work/listed"
: > "$work/files"
while IFS= read -r path; do
    if [ -f "$path" ] || [ -L "$path" ]; then
        echo "$path" >> "$work/files"
    fi
done < "$work/listed"
for expected in /usr/bin/oneline /usr/include/oneline/oneline.hpp /usr/include/oneline/export.hpp \
                /usr/share/doc/oneline/copyright /usr/share/bash-completion/completions/oneline; do
    grep -qx "$expected" "$work/files" || fail "the package has no $expected"
done
for pattern in '/liboneline\.a$' '/liboneline\.so\.[0-9]+$' '/pkgconfig/oneline\.pc$' '/cmake/oneline/onelineConfigVersion\.cmake$' \
               '/man1/oneline\.1(\.gz)?$'; do
    grep -Eq "$pattern" "$work/files" || fail "the package has no file matching $pattern"
done

echo "--- oneline --version"
[ "$(/usr/bin/oneline --version)" = "$version" ] || fail "oneline --version says '$(/usr/bin/oneline --version)', not $version"

echo "--- man oneline"
MANWIDTH=80 man -P cat oneline > "$work/man.txt" 2> "$work/man.err" || { cat "$work/man.err"; fail "man oneline"; }
grep -q "oneline" "$work/man.txt" && grep -q "SYNOPSIS\|DESCRIPTION" "$work/man.txt" || fail "man oneline shows no page"

echo "--- a consumer through find_package, static and shared"
for kind in static shared; do
    shared_flag=OFF
    [ "$kind" = shared ] && shared_flag=ON
    cmake -S "$source_dir/test/consumer" -B "$work/consumer-$kind" -DEXPECTED_VERSION="$version" \
        -Doneline_SHARED_LIBS=$shared_flag > "$work/consumer-$kind.log" 2>&1 \
        && cmake --build "$work/consumer-$kind" >> "$work/consumer-$kind.log" 2>&1 \
        || { cat "$work/consumer-$kind.log"; fail "building the $kind find_package consumer"; }
    "$work/consumer-$kind/consumer" || fail "the $kind find_package consumer"
    if [ "$kind" = shared ]; then
        ldd "$work/consumer-$kind/consumer" | grep -q "liboneline\.so\.[0-9]" || fail "the shared consumer does not load liboneline.so"
    else
        ! ldd "$work/consumer-$kind/consumer" | grep -q "liboneline" || fail "the static consumer loads liboneline"
    fi
done

echo "--- a consumer through pkg-config"
pkg-config --exists oneline || fail "pkg-config does not know oneline"
[ "$(pkg-config --modversion oneline)" = "$version" ] || fail "pkg-config says version $(pkg-config --modversion oneline)"
# shellcheck disable=SC2046
g++ -std=c++17 -DEXPECTED_VERSION="\"$version\"" $(pkg-config --cflags oneline) "$source_dir/test/consumer/main.cpp" \
    -o "$work/pkg-config-consumer" $(pkg-config --libs oneline) || fail "building the pkg-config consumer"
"$work/pkg-config-consumer" || fail "the pkg-config consumer"

echo "--- dpkg -r"
dpkg -r oneline > "$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log"; fail "dpkg -r"; }
! installed || fail "oneline is still installed after dpkg -r"
left=0
while IFS= read -r path; do
    if [ -e "$path" ] || [ -L "$path" ]; then
        echo "left behind: $path" >&2
        left=1
    fi
done < "$work/files"
for directory in /usr/include/oneline /usr/share/doc/oneline; do
    [ ! -e "$directory" ] || { echo "left behind: $directory" >&2; left=1; }
done
[ "$left" -eq 0 ] || fail "files of the package are left after dpkg -r"
# dpkg keeps a removed package's record (its postrm runs ldconfig) until it is purged: purge it, so that
# the machine is as it was.
dpkg --purge oneline > /dev/null 2>&1 || fail "dpkg --purge"
we_installed=0
! dpkg-query -W oneline > /dev/null 2>&1 || fail "dpkg still knows oneline after dpkg --purge"
echo "PASS: $(basename "$deb") installed, used through find_package and pkg-config, and removed without a trace"
