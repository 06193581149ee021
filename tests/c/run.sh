#!/usr/bin/env bash
# The C test suite, against the library in target/debug (build it first:
# `cargo build -p localmediastream`; scripts/test-c does both).
#
#  1. include/localmediastream.h compiles as C99 and as C++11, and a C++
#     program links against the library (its extern "C" works);
#  2. every tests/c/test_*.c is built (C99, -Wall -Wextra -Werror) and run
#     (test_loopback under tests/support/pulse-loopback: a private PulseAudio
#     whose null sink plays 1 kHz);
#  3. examples/c/capture.c is built with the flags pkg-config gives for a .pc
#     made from localmediastream.pc.in for this build tree, and run;
#  4. the tests run again under valgrind: no memory errors, no definite or
#     indirect leaks (blocks the library's long-lived threads keep are
#     "still reachable" / "possibly lost" and do not count).
#
# Environment: CC (default cc), CXX (default c++), LMS_C_VALGRIND=0 skips
# step 4, LMS_C_KEEP=1 keeps the build directory, LMS_TEST_ONLY=name runs one
# test function of each file.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
libdir=$root/target/debug
incdir=$root/include
CC=${CC:-cc}
CXX=${CXX:-c++}
CFLAGS=(-std=c99 -Wall -Wextra -Werror -g -O1 -pthread)

if [[ ! -f $libdir/liblocalmediastream.so || ! -f $incdir/localmediastream.h ]]; then
    echo "tests/c/run.sh: no $libdir/liblocalmediastream.so or $incdir/localmediastream.h;" \
        "run 'cargo build -p localmediastream' first (scripts/test-c does)" >&2
    exit 2
fi

build=$(mktemp -d "${TMPDIR:-/tmp}/lms-c-tests.XXXXXX")
if [[ ${LMS_C_KEEP:-0} == 1 ]]; then
    echo "build directory: $build"
else
    trap 'rm -rf "$build"' EXIT
fi
link=(-I"$incdir" -L"$libdir" -llocalmediastream -Wl,-rpath,"$libdir")
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")

echo "== C: the header compiles as C99 and C++11"
printf '#include "localmediastream.h"\n' >"$build/header.c"
"$CC" -std=c99 -Wall -Wextra -Werror -Wpedantic -I"$incdir" -fsyntax-only "$build/header.c"
cp "$build/header.c" "$build/header.cpp"
"$CXX" -std=c++11 -Wall -Wextra -Werror -Wpedantic -I"$incdir" -fsyntax-only "$build/header.cpp"
# Syntax alone does not prove extern "C": link a C++ program and run it.
cat >"$build/linkage.cpp" <<'EOF'
#include <cstdio>
#include <cstring>
#include "localmediastream.h"
int main() {
    char *json = nullptr;
    if (lms_enumerate_devices(&json) != LMS_OK) return 1;
    lms_string_free(json);
    std::printf("%s\n", lms_version());
    return std::strcmp(lms_status_name(LMS_ERR_OVERCONSTRAINED), "OverconstrainedError") == 0 ? 0 : 1;
}
EOF
"$CXX" -std=c++11 -Wall -Wextra -Werror "$build/linkage.cpp" -o "$build/linkage" "${link[@]}"
linked_version=$(LMS_BACKENDS=fake "$build/linkage")
if [[ $linked_version != "$version" ]]; then
    echo "lms_version() says '$linked_version', Cargo.toml says '$version'" >&2
    exit 1
fi

echo "== C: build the tests"
tests=()
for src in "$root"/tests/c/test_*.c; do
    name=$(basename "$src" .c)
    "$CC" "${CFLAGS[@]}" -I"$root/tests/c" "$src" -o "$build/$name" "${link[@]}"
    tests+=("$name")
done

# run_test NAME [WRAPPER...]: run one test binary; print its summary, or all of its output on failure.
run_test() {
    local name=$1 limit=$2 log rc=0
    shift 2
    log="$build/$name${LMS_TEST_VALGRIND:+.valgrind}.log"
    local server=() # test_loopback captures a sound server's monitor: start one around it
    [[ $name == test_loopback ]] && server=("$root/tests/support/pulse-loopback")
    timeout "$limit" "${server[@]}" "$@" "$build/$name" >"$log" 2>&1 || rc=$?
    if [[ $rc == 0 ]]; then
        printf '  %-14s %s\n' "$name" "$(tail -n 1 "$log")"
        return 0
    fi
    case $rc in
    99) printf '  %-14s FAILED: valgrind found errors or leaks\n' "$name" ;;
    124) printf '  %-14s FAILED: timed out after %ss\n' "$name" "$limit" ;;
    *) printf '  %-14s FAILED (exit %s)\n' "$name" "$rc" ;;
    esac
    grep -v '^ok  ' "$log" | tail -n 200 | sed 's/^/    /'
    return 1
}

failed=0
echo "== C: run the tests"
for name in "${tests[@]}"; do
    run_test "$name" 300 || failed=1
done

echo "== C: examples/c/capture.c built with pkg-config"
mkdir -p "$build/pkgconfig"
sed -e "s|@prefix@|$root|" -e "s|@libdir@|$libdir|" -e "s|@includedir@|$incdir|" -e "s|@version@|$version|" \
    -e "s|@libs_private@||" "$root/localmediastream.pc.in" >"$build/pkgconfig/localmediastream.pc"
export PKG_CONFIG_PATH="$build/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pc_version=$(pkg-config --modversion localmediastream)
[[ $pc_version == "$version" ]] || { echo "pkg-config version '$pc_version' != '$version'" >&2; failed=1; }
# shellcheck disable=SC2046 # pkg-config output is meant to be split into words
"$CC" "${CFLAGS[@]}" "$root/examples/c/capture.c" -o "$build/capture" \
    $(pkg-config --cflags --libs localmediastream) -Wl,-rpath,"$(pkg-config --variable=libdir localmediastream)"
if timeout 60 "$build/capture" >"$build/capture.log" 2>&1 &&
    [[ $(grep -c '^frame ' "$build/capture.log") == 30 ]]; then
    echo "  capture        $(sed -n '1p' "$build/capture.log"); $(tail -n 1 "$build/capture.log")"
else
    echo "  capture        FAILED"
    sed 's/^/    /' "$build/capture.log"
    failed=1
fi

if [[ ${LMS_C_VALGRIND:-1} != 0 ]]; then
    if ! command -v valgrind >/dev/null; then
        echo "valgrind is not installed (apt-get install valgrind, or LMS_C_VALGRIND=0 to skip)" >&2
        exit 1
    fi
    echo "== C: the tests under valgrind (memory errors, definite and indirect leaks)"
    export LMS_TEST_VALGRIND=1 # tests do fewer rounds and wait longer
    for name in "${tests[@]}"; do
        run_test "$name" 900 valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
            --fair-sched=yes --num-callers=30 || failed=1
    done
    unset LMS_TEST_VALGRIND
fi

if [[ $failed != 0 ]]; then
    echo "C tests FAILED" >&2
    exit 1
fi
echo "C tests passed"
