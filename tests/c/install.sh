#!/usr/bin/env bash
# The installed C library, as a user gets it (scripts/install; scripts/test-c
# runs this last):
#
#  1. scripts/install --prefix TMP --relocatable (a release build, reused when
#     current), then TMP moved elsewhere (the .pc and CMake files must follow);
#  2. lib/liblocalmediastream.so.X.Y.Z has the SONAME liblocalmediastream.so.X,
#     the .so.X and .so symlinks point to it; the newest glibc symbol version it
#     needs is printed;
#  3. tests/c/install/consumer.c (fake camera, unpaced: 20 frames, sequence
#     numbers increase) is built and run three ways:
#       - pkg-config --cflags --libs (PKG_CONFIG_PATH=TMP/lib/pkgconfig), shared;
#       - pkg-config --static --cflags --libs with the archive: the program
#         must not need liblocalmediastream.so (ldd);
#       - CMake: find_package(localmediastream) and
#         target_link_libraries(app localmediastream::localmediastream)
#         (CMAKE_PREFIX_PATH=TMP), and the -static target.
#
# Environment: CC (default cc), LMS_C_KEEP=1 keeps the temporary directory,
# LMS_INSTALL_RELEASE_DIR=DIR installs from DIR instead of building
# (scripts/install --release-dir).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}
export CC

work=$(mktemp -d "${TMPDIR:-/tmp}/lms-c-install.XXXXXX")
if [[ ${LMS_C_KEEP:-0} == 1 ]]; then
    echo "temporary directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi
prefix=$work/prefix
failed=0

echo "== C: scripts/install --relocatable into a temporary prefix, then moved (as the tarball is)"
start=$SECONDS
install_args=(--prefix "$work/installed-here" --relocatable)
[[ -z ${LMS_INSTALL_RELEASE_DIR:-} ]] || install_args+=(--release-dir "$LMS_INSTALL_RELEASE_DIR")
"$root/scripts/install" "${install_args[@]}" | sed 's/^/  /'
mv "$work/installed-here" "$prefix"
echo "  (install took $((SECONDS - start)) s)"

version=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion localmediastream)
major=${version%%.*}
lib=$prefix/lib/liblocalmediastream.so.$version

echo "== C: the installed library"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [[ $soname == "liblocalmediastream.so.$major" ]]; then
    echo "  SONAME         $soname"
else
    echo "  SONAME         FAILED: '$soname', not liblocalmediastream.so.$major"
    failed=1
fi
links="$(readlink "$prefix/lib/liblocalmediastream.so") $(readlink "$prefix/lib/liblocalmediastream.so.$major")"
if [[ $links == "liblocalmediastream.so.$major liblocalmediastream.so.$version" ]]; then
    echo "  symlinks       .so -> .so.$major -> .so.$version"
else
    echo "  symlinks       FAILED: .so -> .so.$major -> .so.$version expected, found $links"
    failed=1
fi
glibc=$(objdump -T "$lib" | grep -o 'GLIBC_[0-9.]*' | sort -u -V | tail -n 1)
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "  needs          $glibc at most; $needed"
echo "  sizes          .so $(du -h "$lib" | cut -f1), .a $(du -h "$prefix/lib/liblocalmediastream.a" | cut -f1)"

# run_consumer WAY BINARY [WRAPPER...]: run one built consumer and report.
run_consumer() {
    local way=$1 binary=$2 out
    shift 2
    if out=$(timeout 60 "$@" "$binary" 2>&1); then
        printf '  %-14s %s\n' "$way" "$out"
    else
        printf '  %-14s FAILED\n' "$way"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=1
    fi
}

cflags=(-std=c99 -Wall -Wextra -Werror -O1)
consumer=$root/tests/c/install/consumer.c
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

echo "== C: the consumer built with pkg-config (shared)"
# shellcheck disable=SC2046 # pkg-config output is meant to be split into words
"$CC" "${cflags[@]}" "$consumer" -o "$work/shared" $(pkg-config --cflags --libs localmediastream)
run_consumer pc-shared "$work/shared" env LD_LIBRARY_PATH="$prefix/lib"
# grep reads ldd's whole output (no -q): under pipefail an early exit of grep
# would make ldd die of SIGPIPE and the check fail although the line is there.
if ! LD_LIBRARY_PATH=$prefix/lib ldd "$work/shared" | grep "liblocalmediastream.so.$major => $prefix/lib/" >/dev/null; then
    echo "  pc-shared      FAILED: the program does not load liblocalmediastream.so.$major from the prefix"
    LD_LIBRARY_PATH=$prefix/lib ldd "$work/shared" | sed 's/^/    /'
    failed=1
fi

echo "== C: the consumer built with pkg-config --static (the archive)"
# lib/ holds the .so and the .a; -l:liblocalmediastream.a picks the archive.
static_libs=$(pkg-config --static --libs localmediastream | sed 's/-llocalmediastream\b/-l:liblocalmediastream.a/')
echo "  flags          $static_libs"
# shellcheck disable=SC2046,SC2086
"$CC" "${cflags[@]}" "$consumer" -o "$work/static" $(pkg-config --cflags localmediastream) $static_libs
run_consumer pc-static "$work/static"
if ldd "$work/static" | grep liblocalmediastream >/dev/null; then
    echo "  static         FAILED: the program still needs liblocalmediastream.so"
    ldd "$work/static" | sed 's/^/    /'
    failed=1
else
    echo "  static         needs no liblocalmediastream.so: $(ldd "$work/static" | awk '{print $1}' | tr '\n' ' ')"
fi

echo "== C: the consumer built with CMake (find_package)"
for variant in shared static; do
    dir=$work/cmake-$variant
    static=OFF
    [[ $variant == static ]] && static=ON
    if cmake -S "$root/tests/c/install" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" -DLMS_VERSION="$version" \
        -DLMS_STATIC=$static -DCMAKE_BUILD_TYPE=Release >"$dir.log" 2>&1 &&
        cmake --build "$dir" >>"$dir.log" 2>&1; then
        # CMake gives the build tree an rpath to the prefix's lib/.
        run_consumer "cmake-$variant" "$dir/app"
        if [[ $variant == static ]] && ldd "$dir/app" | grep liblocalmediastream >/dev/null; then
            echo "  cmake-static   FAILED: the program still needs liblocalmediastream.so"
            failed=1
        fi
    else
        echo "  cmake-$variant   FAILED"
        sed 's/^/    /' "$dir.log"
        failed=1
    fi
done
# A version from another 0.x minor must be refused (the SONAME note in scripts/install).
if cmake -S "$root/tests/c/install" -B "$work/cmake-wrong" -DCMAKE_PREFIX_PATH="$prefix" \
    -DLMS_VERSION="$major.$(($(cut -d. -f2 <<<"$version") + 1))" >"$work/cmake-wrong.log" 2>&1; then
    echo "  cmake-version  FAILED: find_package accepted a newer minor version"
    failed=1
else
    echo "  cmake-version  find_package refuses $major.$(($(cut -d. -f2 <<<"$version") + 1)) (installed: $version)"
fi

if [[ $failed != 0 ]]; then
    echo "C install tests FAILED" >&2
    exit 1
fi
echo "C install tests passed"
