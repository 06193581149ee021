#!/usr/bin/env bash
# The Python packages as users get them (scripts/package-python's dist/):
# - the wheel: tagged manylinux (auditwheel show), no GLIBC symbol newer than
#   2.28, no libasound among the libraries it needs, stubs and py.typed in it;
# - installed into a fresh venv with no cargo or rustc on PATH (no build
#   step), it captures from fake devices (smoke.py), from ALSA's default PCM
#   through the system's libasound and its pulse plugin (a PulseAudio server
#   of its own, as crates/core/tests/cpal_pulse.rs), and, with libasound.so.2
#   hidden from the process (a private mount namespace, so root), it imports,
#   fake devices work and the microphone backend says it is unavailable;
# - prints the wheel's size, its newest GLIBC symbol version and the time of
#   `import localmediastream` (median of fresh processes);
# - the sdist: `pip install` builds it from source (a release compile, about
#   3 minutes here) into a venv where the toolchain is, then the same checks.
#   LMS_TEST_SDIST=0 skips it.
#
# Usage: tests/python/package/run.sh   (after scripts/package-python)
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD

fail() { echo "package test: FAILED: $*" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
wheel="$root/dist/localmediastream-$version-cp39-abi3-manylinux_2_28_x86_64.whl"
sdist="$root/dist/localmediastream-$version.tar.gz"
[ -f "$wheel" ] || fail "no $wheel: run scripts/package-python first"
[ -f "$sdist" ] || fail "no $sdist: run scripts/package-python first"
smoke="$root/tests/python/package/smoke.py"

work="$root/target/package-test"
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "== package test: the wheel's contents"
(cd "$work" && python3 -m zipfile -e "$wheel" unpacked)
extension="$work/unpacked/localmediastream/_native.abi3.so"
[ -f "$extension" ] || fail "the wheel has no localmediastream/_native.abi3.so"
for file in py.typed __init__.pyi _native.pyi; do
  [ -f "$work/unpacked/localmediastream/$file" ] || fail "the wheel has no localmediastream/$file"
done
grep -q '^Provides-Extra: numpy' "$work"/unpacked/localmediastream-*.dist-info/METADATA \
  || fail "the wheel's metadata has no [numpy] extra"
if grep -q '^Requires-Dist: numpy' "$work"/unpacked/localmediastream-*.dist-info/METADATA \
  && ! grep -q "^Requires-Dist: numpy.*extra == .numpy." "$work"/unpacked/localmediastream-*.dist-info/METADATA; then
  fail "numpy is a requirement of the wheel, not only of its [numpy] extra"
fi
needed=$(readelf -d "$extension" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "libraries needed: $needed"
case " $needed " in *libasound*) fail "the extension links libasound (a function missing from backend/cpal/libasound.rs?)" ;; esac
glibc_max=$(objdump -T "$extension" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n1)
echo "newest GLIBC symbol version: $glibc_max"
[ "$(printf '%s\nGLIBC_2.28\n' "$glibc_max" | sort -V | tail -n1)" = GLIBC_2.28 ] \
  || fail "the extension needs $glibc_max, newer than GLIBC_2.28"

echo "== package test: auditwheel show"
auditwheel=$root/target/package-venv/bin/auditwheel
[ -x "$auditwheel" ] || fail "no $auditwheel: run scripts/package-python first"
"$auditwheel" show "$wheel" | tee "$work/auditwheel.txt"
tr -s ' \n' ' ' <"$work/auditwheel.txt" | grep -q 'consistent with the following platform tag: "manylinux_2_28_x86_64"' \
  || fail "auditwheel does not find the wheel consistent with manylinux_2_28_x86_64"

echo "== package test: pip install the wheel, no Rust toolchain on PATH"
# Only the system's programs: no ~/.cargo/bin, no target/package-venv. A
# cargo or rustc there (Debian's, which scripts/platforms installs) is
# shadowed by one that fails, so nothing can build a Rust crate.
mkdir -p "$work/no-rust"
for tool in cargo rustc; do
  printf '#!/bin/sh\necho "%s was called: the wheel must install without a Rust toolchain" >&2\nexit 97\n' \
    "$tool" >"$work/no-rust/$tool"
  chmod +x "$work/no-rust/$tool"
done
bare_path=$work/no-rust:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for tool in cargo rustc; do
  [ "$(PATH=$bare_path command -v "$tool")" = "$work/no-rust/$tool" ] || fail "a real $tool is on $bare_path"
done
python3 -m venv "$work/wheel-venv"
py="$work/wheel-venv/bin/python"
# --no-index --no-build-isolation: nothing downloaded, nothing built.
env -i PATH="$bare_path" HOME="$work" "$py" -m pip install -q --disable-pip-version-check \
  --no-index --no-build-isolation --only-binary :all: "$wheel"
run_smoke() {
  (cd "$work" && env -i PATH="$bare_path" HOME="$work" "$@")
}

run_smoke "$py" "$smoke"

echo "== package test: import time"
for _ in 1 2 3 4 5 6 7; do
  run_smoke "$py" -X importtime -c 'import localmediastream' 2>&1 \
    | awk -F'|' '$3 ~ /^ *localmediastream$/ {gsub(/ /, "", $2); print $2}'
done | sort -n | awk '{v[NR]=$1} END {printf "import localmediastream: %.1f ms (median of %d fresh processes)\n", v[int((NR+1)/2)]/1000, NR}'
echo "wheel size: $(stat -c %s "$wheel") bytes ($(basename "$wheel"))"
echo "newest GLIBC symbol version: $glibc_max"

echo "== package test: a PulseAudio server for ALSA's default PCM"
for program in pulseaudio parec; do
  command -v "$program" >/dev/null || fail "$program is missing: scripts/setup installs it"
done
pulse_plugin=$(ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so 2>/dev/null | head -n1)
[ -n "$pulse_plugin" ] || fail "ALSA's pulse plugin is missing: scripts/setup installs libasound2-plugins"
pulse="$work/pulse"
mkdir -p "$pulse/run"
cat >"$pulse/script.pa" <<EOF
load-module module-native-protocol-unix socket=$pulse/native auth-anonymous=1
load-module module-null-sink sink_name=speaker rate=48000 channels=2
load-module module-sine sink=speaker frequency=440
set-default-source speaker.monitor
EOF
cat >"$pulse/asound.conf" <<EOF
</usr/share/alsa/alsa.conf>
pcm.!default { type pulse server "unix:$pulse/native" }
ctl.!default { type pulse server "unix:$pulse/native" }
EOF
pulse_env=(HOME="$pulse" XDG_RUNTIME_DIR="$pulse/run" XDG_CONFIG_HOME="$pulse/config")
env "${pulse_env[@]}" pulseaudio -n -F "$pulse/script.pa" --daemonize=no --exit-idle-time=-1 \
  --use-pid-file=no --log-target=stderr 2>"$pulse/pulseaudio.log" </dev/null &
pids+=($!)
for _ in $(seq 300); do [ -S "$pulse/native" ] && break; sleep 0.1; done
[ -S "$pulse/native" ] || fail "pulseaudio did not start: $(cat "$pulse/pulseaudio.log")"
# A client asking for 10 ms keeps the null sink rendering in short blocks.
env "${pulse_env[@]}" PULSE_SERVER="unix:$pulse/native" parec --latency-msec=10 \
  --format=s16le --channels=1 --device=speaker.monitor >/dev/null 2>&1 </dev/null &
pids+=($!)
[ "$(id -u)" = 0 ] || fail "hiding libasound.so.2 needs root (a private mount namespace)"
# awk reads all of ldconfig's output (no early exit): under pipefail an early
# exit could kill ldconfig with SIGPIPE and end the script with status 141.
libasound=$(ldconfig -p | awk '$1 == "libasound.so.2" && /x86-64/ && !found {print $NF; found = 1}')
[ -n "$libasound" ] || fail "ldconfig knows no libasound.so.2 (install libasound2)"
libasound=$(readlink -f "$libasound")

# A microphone through the system's libasound, then no libasound at all.
with_and_without_libasound() {
  local what=$1 python=$2
  echo "== package test: $what: a microphone through the system's libasound (PulseAudio)"
  run_smoke ALSA_CONFIG_PATH="$pulse/asound.conf" PULSE_SERVER="unix:$pulse/native" LMS_AUDIO_HOST=alsa \
    "$python" "$smoke" --microphone
  echo "== package test: $what: without libasound.so.2"
  # /dev/null over the library's file in this process's mounts only: dlopen
  # then fails ("file too short"), as where the file does not exist.
  run_smoke unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$libasound" \
    "$python" "$smoke" --no-libasound
}
with_and_without_libasound wheel "$py"

if [ "${LMS_TEST_SDIST:-1}" != 0 ]; then
  echo "== package test: pip install the sdist (builds from source)"
  python3 -m venv "$work/sdist-venv"
  started=$(date +%s)
  # With the toolchain on PATH; maturin and the crates come from their registries.
  "$work/sdist-venv/bin/python" -m pip install -q --disable-pip-version-check "$sdist"
  echo "sdist build and install: $(( $(date +%s) - started )) s"
  run_smoke "$work/sdist-venv/bin/python" "$smoke"
  with_and_without_libasound sdist "$work/sdist-venv/bin/python"
else
  echo "== package test: sdist not built from source (LMS_TEST_SDIST=0)"
fi
echo "package test: ok"
