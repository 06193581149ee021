"""Benchmarks against the peers, in one run (issue 9): the driver.

benches/run installs the peers, builds everything in release and calls this
with the venv's Python. Every workload runs its implementations interleaved
(A B C, A B C, ...) for a few rounds; each run is a separate process that
prints one JSON line. The medians go into markdown tables (printed, and
written to benches/peers/RESULTS.md) with what each implementation does per
frame, ratios, the targets of issue 9 and pass/miss, and the machine.

Usage: run.py [--rounds N] [--only V1,V2,...] [--l1-seconds S] [--wait-quiet SECONDS] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "benches" / "peers"
BUILD = ROOT / "target" / "peers"  # private copies of our programs (benches/run puts them there)
PY = sys.executable
Y4M = os.environ.get("LMS_PEERS_Y4M", "/tmp/lms-peers-1080p.y4m")
PASSES = 3  # V2: each implementation reads the whole file this many times per run


# ---------------------------------------------------------------- the runs


def parse_json(out: str) -> dict:
    for line in reversed(out.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in the output")


def parse_rate(pattern: str) -> Callable[[str], dict]:
    """The existing text benchmarks (benches/c, benches/python, benches/node, read_loop)."""

    def parse(out: str) -> dict:
        m = re.search(pattern, out)
        if not m:
            raise ValueError(f"no match for {pattern!r}")
        return {"fps": float(m.group(1).replace(",", ""))}

    return parse


@dataclass
class Impl:
    key: str
    name: str
    does: str  # what it does per frame
    cmd: list[str]
    parse: Callable[[str], dict] = parse_json
    note: str = ""
    timeout: float = 120
    runs: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median(self, key: str) -> Optional[float]:
        values = [r[key] for r in self.runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    def spread(self, key: str) -> tuple[Optional[float], Optional[float]]:
        values = [r[key] for r in self.runs if r.get(key) is not None]
        return (min(values), max(values)) if values else (None, None)


def builds_running() -> list[str]:
    """Other people's compilers running right now (they make numbers noisy)."""
    try:
        out = subprocess.run(["pgrep", "-a", "-f", r"(^|/)(rustc|cc1|cc1plus|ld|collect2|maturin)( |$)"],
                             capture_output=True, text=True).stdout
    except OSError:
        return []
    mine = {str(os.getpid())}
    return [l for l in out.splitlines() if l and l.split()[0] not in mine]


LOG: list[str] = []
BUSY: list[int] = []  # per run: how many compiler processes were running when it started
OTHERS = [0.0, 0.0]  # CPU seconds others used during our runs, and wall x cores of those runs


def busy_seconds() -> float:
    """CPU time every process on the machine used so far (/proc/stat), in seconds."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def wait_quiet(limit: float) -> None:
    end = time.monotonic() + limit
    while True:
        b0, t0 = busy_seconds(), time.monotonic()
        time.sleep(5)
        share = (busy_seconds() - b0) / ((time.monotonic() - t0) * (os.cpu_count() or 1))
        if share < 0.10:
            return
        if time.monotonic() > end:
            print(f"# still busy ({100 * share:.0f}% of the CPU) after {limit:.0f} s: measuring anyway", file=sys.stderr)
            return
        print(f"# waiting for a quiet machine: others use {100 * share:.0f}% of the CPU", file=sys.stderr)


def run_one(impl: Impl) -> None:
    BUSY.append(len(builds_running()))
    started = time.monotonic()
    busy0, own0 = busy_seconds(), own_seconds()
    try:
        p = subprocess.run(impl.cmd, capture_output=True, text=True, timeout=impl.timeout, cwd=ROOT)
        others = max(0.0, (busy_seconds() - busy0) - (own_seconds() - own0))
        capacity = (time.monotonic() - started) * (os.cpu_count() or 1)
        OTHERS[0] += others
        OTHERS[1] += capacity
        if p.returncode != 0:
            raise RuntimeError(f"exit {p.returncode}: {(p.stderr.strip().splitlines() or [''])[-1][:200]}")
        result = impl.parse(p.stdout)
        result["_seconds"] = time.monotonic() - started
        result["_others_pct"] = round(100 * others / capacity, 1)
        impl.runs.append(result)
        LOG.append(f"{impl.key}: {json.dumps(result)}")
    except Exception as e:  # a peer that fails is reported, not fatal
        impl.errors.append(str(e))
        LOG.append(f"{impl.key}: FAILED {e}")
        print(f"  {impl.key}: FAILED {e}", file=sys.stderr)


def run_interleaved(title: str, impls: list[Impl], rounds: int) -> None:
    t0 = time.monotonic()
    for r in range(rounds):
        for impl in impls:
            run_one(impl)
    others = [r["_others_pct"] for i in impls for r in i.runs]
    print(f"# {title}: {rounds} rounds x {len(impls)} in {time.monotonic() - t0:.1f} s; other processes used "
          f"{statistics.median(others) if others else 0:.1f}% (median; max {max(others, default=0):.1f}%) of the CPU",
          file=sys.stderr)


# ---------------------------------------------------------------- formatting


def fmt_rate(x: Optional[float]) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ms(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:.3f}"


def fmt_ratio(x: Optional[float]) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}x" if x >= 100 else f"{x:.2f}x"


def verdict(ok: Optional[bool]) -> str:
    return "-" if ok is None else ("**pass**" if ok else "**MISS**")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def rate_cell(impl: Impl, key: str = "fps") -> str:
    if not impl.runs:
        return "failed: " + (impl.errors[-1][:80] if impl.errors else "?")
    lo, hi = impl.spread(key)
    return f"{fmt_rate(impl.median(key))} ({fmt_rate(lo)}-{fmt_rate(hi)})"


# ---------------------------------------------------------------- machine


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def machine() -> list[str]:
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    cache = sh("lscpu | grep -E '^L(2|3) cache' | tr -s ' ' | paste -sd ';'")
    mem = sh("free -g | awk '/Mem:/ {print $2}'")
    av_libs = sh(f"{PY} -c \"import av; v=av.library_versions; print('libavcodec', '.'.join(map(str, v['libavcodec'])), 'libavformat', '.'.join(map(str, v['libavformat'])))\"")
    versions = {
        "rustc": sh("rustc --version"),
        "cc": sh("cc --version | head -1"),
        "Python": sh(f"{PY} --version"),
        "Node": sh("node --version"),
        "GStreamer": sh(f"{PY} -c \"import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst; Gst.init(None); print(Gst.version_string())\""),
        "PyAV": sh(f"{PY} -c 'import av; print(av.__version__)'") + f" (bundled FFmpeg: {av_libs})",
        "FFmpeg (Debian, makes the Y4M)": sh("ffmpeg -version | head -1 | cut -d\" \" -f3"),
        "OpenCV": sh(f"{PY} -c 'import cv2; print(cv2.__version__)'"),
        "numpy": sh(f"{PY} -c 'import numpy; print(numpy.__version__)'"),
        "localmediastream": sh(f"git -C {ROOT} describe --always --dirty"),
    }
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores ({cache}), {mem} GiB RAM",
        f"- OS: {sh('. /etc/os-release; echo $PRETTY_NAME')}, kernel {platform.release()}",
        "- " + "; ".join(f"{k} {v}" for k, v in versions.items()),
    ]


# ---------------------------------------------------------------- workloads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the throughput workloads (V1, V2, A1); L1, S1, M1, L0 run min(3, N)")
    ap.add_argument("--only", default="", help="comma list of workloads (V1,V2,A1,L1,S1,M1,L0)")
    ap.add_argument("--l1-seconds", type=float, default=10.0)
    ap.add_argument("--out", default=str(PEERS / "RESULTS.md"), help="also write the tables here ('' for print only)")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to SECONDS for the machine to be quiet (other processes under 10%% of the CPU for 5 s)")
    args = ap.parse_args()
    if args.wait_quiet > 0:
        wait_quiet(args.wait_quiet)
    only = {w.strip().upper() for w in args.only.split(",") if w.strip()}
    want = lambda w: not only or w in only  # noqa: E731
    rounds = max(1, args.rounds)
    slow_rounds = min(3, rounds)
    started = time.monotonic()
    load_before = os.getloadavg()

    ours_py = [PY, str(PEERS / "py" / "ours.py")]
    peers_py = [PY, str(PEERS / "py" / "peers.py")]
    ours_c = [str(BUILD / "ours")]
    # benches/run copies the Node package (release addon) and these scripts to target/peers/tree
    tree = BUILD / "tree"
    ours_node = ["node", str(tree / "benches/peers/node/ours.js")]
    out: list[str] = []

    # ---- L0 first: V2 compares with its cold memcpy
    l0 = Impl("L0", "C memcpy/memset", "", [str(BUILD / "limits")])
    if want("L0") or want("V2"):
        run_interleaved("L0", [l0], slow_rounds)

    # ---- V1
    if want("V1"):
        fake = "paints the changes (box, code cells: a few KB of 3 MB) into a pooled buffer; zero-copy view"
        v1 = [
            Impl("v1-rust", "ours, Rust (`read_loop`)", fake + "; `track.read()`",
                 [str(BUILD / "bin/read_loop"), "600"], parse_rate(r"([\d.]+) frames/s")),
            Impl("v1-c", "ours, C (`read_frame.c`)", fake + "; `lms_track_read_frame` + `lms_frame_release`",
                 [str(BUILD / "read_frame"), "600"], parse_rate(r"([\d.]+) frames/s")),
            Impl("v1-py", "ours, Python (`read_fake.py`)", fake + "; `track.read()`, `frame.planes[i][0]`",
                 [PY, str(ROOT / "benches/python/read_fake.py"), "600", "1"], parse_rate(r"median ([\d,]+) frames/s")),
            Impl("v1-node", "ours, Node (`read_fake.js`)", fake + "; `for await`, `frame.close()`",
                 ["node", str(tree / "benches/node/read_fake.js"), "600"],
                 parse_rate(r"frame\.close\(\) after use: ([\d.]+) frames/s")),
            Impl("v1-gst-smpte", "GStreamer `videotestsrc` (smpte) -> `appsink`, Python",
                 "redraws the whole SMPTE picture every frame (3 MB written) into a new pool buffer; "
                 "`pull_sample`, `map`/`unmap`", peers_py + ["v1-gst", "smpte", "600"]),
            Impl("v1-gst-black", "GStreamer `videotestsrc pattern=black` -> `appsink`, Python",
                 "trap: draws once, then memcpy of the cached 3 MB picture into every new buffer; "
                 "`pull_sample`, `map`/`unmap`", peers_py + ["v1-gst", "black", "600"]),
            Impl("v1-av-testsrc2", "PyAV, lavfi `testsrc2`",
                 "draws the whole testsrc2 picture every frame (3 MB); wrapped_avframe packet -> frame (no copy); "
                 "`frame.planes`", peers_py + ["v1-av", "testsrc2", "600"]),
            Impl("v1-av-color", "PyAV, lavfi `color` (trap)",
                 "trap: no per-frame work, every frame references the one picture drawn at start",
                 peers_py + ["v1-av", "color", "600"]),
        ]
        run_interleaved("V1", v1, rounds)
        by = {i.key: i for i in v1}
        py = by["v1-py"].median("fps")
        gst_fast = max((by[k] for k in ("v1-gst-smpte", "v1-gst-black") if by[k].median("fps")),
                       key=lambda i: i.median("fps"), default=None)
        rows = []
        for i in v1:
            m = i.median("fps")
            ratio = py / m if py and m else None
            target, ok = "", None
            if i.key == "v1-c":
                target, ok = ">= 20,000 frames/s", (m or 0) >= 20000
            elif i.key == "v1-node":
                target, ok = ">= 5,000 frames/s", (m or 0) >= 5000
            elif i.key == "v1-py" and gst_fast is not None:
                r = py / gst_fast.median("fps") if py else None
                target = f">= 4x the fastest GStreamer row ({gst_fast.key}): {fmt_ratio(r)}"
                ok = (r or 0) >= 4
            elif i.key.startswith("v1-gst"):
                target = "ours-Py >= 4x"
                ok = (ratio or 0) >= 4
            rows.append([i.name, i.does, rate_cell(i), fmt_ratio(ratio), target, verdict(ok)])
        out += ["### V1: synthetic 1920x1080 I420, 600 frames, unpaced",
                "",
                "Our fake camera keeps a small pool of buffers and repaints in each only what changed since that "
                "buffer last held a picture (the moving box and the cells of the frame-number code), so every frame "
                "is a new picture for a few KB of writes. GStreamer's smpte (its default) redraws the whole picture; "
                "its `black` is drawn once and memcpy'd into every buffer (a trap: it measures memcpy); FFmpeg's "
                "`color` passes references to one frame (a trap: no per-frame work). The V1 Python target is checked "
                "against the fastest GStreamer row.",
                "", table(["implementation", "per frame", "frames/s median (min-max)", "ours-Py / row", "target", ""], rows), ""]

    # ---- V2
    if want("V2"):
        y4m_mb = os.path.getsize(Y4M) / 1e6 if os.path.exists(Y4M) else 0
        v2 = [
            Impl("v2-rust", "ours, Rust (file device)", "zero-copy view into the memory-mapped file",
                 [str(BUILD / "bin/lms-peers-bench"), "v2", Y4M, str(PASSES)]),
            Impl("v2-py", "ours, Python (file device)", "zero-copy view into the memory-mapped file; `frame.planes[i][0]`",
                 ours_py + ["v2", Y4M, str(PASSES)]),
            Impl("v2-cv", "OpenCV `VideoCapture`, `CAP_PROP_FORMAT=-1`",
                 "FFmpeg demuxer read()s the frame into a packet (kernel copy), copied again into a 1xN Mat",
                 peers_py + ["v2-cv", Y4M, str(PASSES)]),
            Impl("v2-av", "PyAV (yuv4mpegpipe + rawvideo)",
                 "demuxer read()s the frame into a newly allocated packet (kernel copy, page faults), rawvideo "
                 "decoder references it; `frame.planes`", peers_py + ["v2-av", Y4M, str(PASSES)]),
            Impl("v2-gst", "GStreamer `filesrc ! y4mdec ! appsink`",
                 "filesrc read()s 4 KiB buffers (kernel copy), y4mdec joins them into a frame buffer (copy); "
                 "`map`/`unmap`", peers_py + ["v2-gst", Y4M, str(PASSES)]),
            Impl("v2-naive", "plain Python `readinto` (naive baseline)",
                 "read(2) into one reused bytearray: one kernel copy per frame", peers_py + ["v2-naive", Y4M, str(PASSES)]),
        ]
        run_interleaved("V2", v2, rounds)
        by = {i.key: i for i in v2}
        py = by["v2-py"].median("fps")
        cold = l0.median("memcpy_cold_fps")
        rows = []
        for i in v2:
            m = i.median("fps")
            ratio = py / m if py and m else None
            target, ok = "", None
            if i.key == "v2-py":
                cv = by["v2-cv"].median("fps")
                r_cv = py / cv if py and cv else None
                r_mc = py / cold if py and cold else None
                target = f">= 2x OpenCV raw: {fmt_ratio(r_cv)}; >= 1.0x one cold memcpy: {fmt_ratio(r_mc)}"
                ok = (r_cv or 0) >= 2 and (r_mc or 0) >= 1
            elif i.key == "v2-cv":
                target, ok = "ours-Py >= 2x", (ratio or 0) >= 2
            rows.append([i.name, i.does, rate_cell(i), fmt_ratio(ratio), target, verdict(ok)])
        lo, hi = l0.spread("memcpy_cold_fps")
        rows.append(["one cold memcpy per frame (L0, C)", "memcpy of 3,110,400 bytes, source and destination out of cache",
                     f"{fmt_rate(cold)} ({fmt_rate(lo)}-{fmt_rate(hi)})", fmt_ratio(py / cold if py and cold else None),
                     "ours-Py >= 1.0x", verdict((py / cold if py and cold else 0) >= 1)])
        out += [f"### V2: 1920x1080 I420 Y4M file ({y4m_mb:,.0f} MB, 300 frames of FFmpeg testsrc2, in the page cache), "
                f"every frame, {PASSES} passes per run, open not timed",
                "", table(["implementation", "per frame", "frames/s median (min-max)", "ours-Py / row", "target", ""], rows), ""]

    # ---- A1
    if want("A1"):
        a1 = [
            Impl("a1-py", "ours, Python", "fake microphone: a sine by rotation (1 sin_cos per 32 frames), 960 samples written into a pooled buffer; "
                 "`track.read().samples[0]` (zero-copy memoryview)", ours_py + ["a1", "6000"]),
            Impl("a1-node", "ours, Node", "same source; `for await`, `frame.samples[0]` (zero-copy Float32Array), "
                 "`frame.close()`", ours_node + ["a1", "6000"]),
            Impl("a1-gst", "GStreamer `audiotestsrc` -> `appsink`, Python",
                 "480 libm sin() calls, 960 samples written into a new buffer; `pull_sample`, `map`, `struct.unpack_from`",
                 peers_py + ["a1-gst", "6000"]),
            Impl("a1-av", "PyAV, lavfi `sine` + `aformat=flt:stereo`",
                 "sine from a lookup table as s16 mono, converted to f32 stereo, pcm_f32le decode; `struct.unpack_from`",
                 peers_py + ["a1-av", "6000"]),
        ]
        run_interleaved("A1", a1, rounds)
        by = {i.key: i for i in a1}
        py = by["a1-py"].median("fps")
        rows = []
        for i in a1:
            m = i.median("fps")
            ratio = py / m if py and m else None
            target, ok = "", None
            if i.key == "a1-py":
                g = by["a1-gst"].median("fps")
                target = f">= 2x GStreamer appsink: {fmt_ratio(py / g if py and g else None)}"
                ok = (py / g if py and g else 0) >= 2
            elif i.key == "a1-gst":
                target, ok = "ours-Py >= 2x", (ratio or 0) >= 2
            rows.append([i.name, i.does, rate_cell(i), fmt_ratio(ratio), target, verdict(ok)])
        out += ["### A1: 48 kHz stereo f32, 10 ms chunks (480 frames), 6,000 chunks, unpaced",
                "", table(["implementation", "per chunk", "chunks/s median (min-max)", "ours-Py / row", "target", ""], rows), ""]

    # ---- L1
    if want("L1"):
        secs = str(args.l1_seconds)
        l1 = [
            Impl("l1-c", "ours, C", "`lms_track_read_frame`, latency, touch, release", ours_c + ["l1", secs], timeout=60),
            Impl("l1-py", "ours, Python", "`track.read()`, latency, touch", ours_py + ["l1", secs], timeout=60),
            Impl("l1-node", "ours, Node", "`for await`, latency, touch, `frame.close()`", ours_node + ["l1", secs], timeout=60),
        ]
        run_interleaved("L1", l1, slow_rounds)
        limits = {"l1-c": (1.0, 3.0), "l1-py": (2.0, None), "l1-node": (2.0, None)}
        rows = []
        for i in l1:
            p99, cpu = i.median("p99_ms"), i.median("cpu_pct")
            lim, cpu_lim = limits[i.key]
            target = f"p99 <= {lim:g} ms" + (f", CPU <= {cpu_lim:g}%" if cpu_lim else "")
            ok = None if p99 is None else (p99 <= lim and (cpu_lim is None or (cpu or 0) <= cpu_lim))
            worst_max = max((r["max_ms"] for r in i.runs), default=None)
            rows.append([i.name, i.does, fmt_ms(i.median("p50_ms")), fmt_ms(p99), fmt_ms(i.median("max_ms")) + f" (worst {fmt_ms(worst_max)})",
                         "-" if cpu is None else f"{i.median('cpu_s'):.3f} s = {cpu:.2f}%",
                         str(int(i.median("frames") or 0)), str(int(max((r.get("dropped", 0) for r in i.runs), default=0))),
                         target, verdict(ok)])
        out += [f"### L1: live fake 1920x1080 I420 at 30 fps (real-time pacing), {args.l1_seconds:g} s per run, "
                "capture timestamp (CLOCK_MONOTONIC) -> consumer; CPU = whole process (capture thread included)",
                "", table(["implementation", "consumer", "p50 ms", "p99 ms", "max ms", "CPU (of one core)", "frames",
                           "dropped", "target", ""], rows), ""]

    # ---- S1
    if want("S1"):
        s1 = [
            Impl("s1-c-fake", "ours, C, fake camera 1080p30", "", ours_c + ["s1", "fake", "20"]),
            Impl("s1-c-file", "ours, C, file device (the V2 file)", "", ours_c + ["s1", Y4M, "20"]),
            Impl("s1-py-fake", "ours, Python, fake camera 1080p30", "", ours_py + ["s1", "fake", "20"]),
            Impl("s1-py-file", "ours, Python, file device (the V2 file)", "", ours_py + ["s1", Y4M, "20"]),
        ]
        # This VM reclaims idle page cache within minutes (kdamond): the V2 file,
        # read minutes ago, may be on disk again, and a cold first open walks its
        # 300 FRAME headers from disk (~470 ms seen). S1 is about our open and
        # stop, so the file is read into the page cache first (timed, printed).
        warm_t0 = time.monotonic()
        with open(Y4M, "rb") as f:
            while f.read(8 << 20):
                pass
        warm_s = time.monotonic() - warm_t0
        print(f"# S1: read {Y4M} into the page cache in {warm_s:.2f} s", file=sys.stderr)
        run_interleaved("S1", s1, slow_rounds)
        rows = []
        for i in s1:
            worst_open = max((r["open_max_ms"] for r in i.runs), default=None)
            worst_close = max((r["close_max_ms"] for r in i.runs), default=None)
            ok = None if worst_open is None else (worst_open <= 10 and worst_close <= 10)
            rows.append([i.name, fmt_ms(i.median("open_first_ms")), fmt_ms(i.median("open_p50_ms")), fmt_ms(worst_open),
                         fmt_ms(i.median("close_first_ms")), fmt_ms(i.median("close_p50_ms")), fmt_ms(worst_close),
                         "<= 10 ms each (worst)", verdict(ok)])
        out += ["### S1: open -> first frame, and last stop -> device closed (20 times per run, real-time pacing; "
                "closed = the fake camera's close counter moved / the file device's capture thread is gone; "
                f"the file was read into the page cache first, in {warm_s:.2f} s)",
                "", table(["implementation", "open->frame first ms", "p50 ms", "worst ms", "stop->closed first ms",
                           "p50 ms", "worst ms", "target", ""], rows), ""]

    # ---- M1
    if want("M1"):
        m1 = [
            Impl("m1-c", "ours, C", "", ours_c + ["m1", "20000"]),
            Impl("m1-py", "ours, Python", "", ours_py + ["m1", "20000"]),
            Impl("m1-node", "ours, Node (`frame.close()`)", "", ours_node + ["m1", "20000"]),
        ]
        run_interleaved("M1", m1, slow_rounds)
        rows = []
        for i in m1:
            worst = max((r["max_growth_kb"] for r in i.runs), default=None)
            heap = i.median("heap_used_climb_kb")
            rows.append([i.name, f"{fmt_rate(i.median('warmup_frames'))}", f"{fmt_rate(i.median('rss_before_open_kb'))}",
                         f"{fmt_rate(i.median('rss_after_1s_kb'))}", f"{fmt_rate(i.median('peak_kb'))}",
                         f"{fmt_rate(i.median('growth_kb'))}", "-" if worst is None else f"{worst:,}",
                         "-" if heap is None else f"{heap:,.0f}",
                         "growth 0 beyond the first second", verdict(None if worst is None else worst <= 0)])
        out += ["### M1: unpaced fake 1080p, 1 s warm-up, then 20,000 frames; RSS sampled every 1,000 frames",
                "", table(["implementation", "warm-up frames", "RSS before open KiB", "RSS after 1 s KiB", "peak (VmHWM) KiB",
                           "growth median KiB", "growth worst KiB", "V8 heapUsed climb KiB", "target", ""], rows), ""]

    # ---- L0 table
    if want("L0"):
        rows = []
        for what in ("memcpy", "memset"):
            for temp in ("hot", "cold"):
                k = f"{what}_{temp}"
                lo, hi = l0.spread(f"{k}_fps")
                rows.append([f"{what} {temp}", f"{fmt_rate(l0.median(k + '_fps'))} ({fmt_rate(lo)}-{fmt_rate(hi)})",
                             f"{l0.median(k + '_gbs'):.1f}" if l0.runs else "-",
                             f"{1e6 / l0.median(k + '_fps'):.0f}" if l0.runs else "-"])
        ring = l0.runs[0]["cold_ring_mib"] if l0.runs else 0
        out += [f"### L0: the physical limit, one 1920x1080 I420 frame (3,110,400 bytes), C; hot = the same buffers "
                f"(in L3), cold = a ring of {ring} MiB of sources and as much of destinations (> L3)",
                "", table(["operation", "frames/s median (min-max)", "GB/s", "us/frame"], rows), ""]

    total = time.monotonic() - started
    busy_runs = sum(1 for b in BUSY if b)
    head = [
        "## Benchmarks against the peers (benches/run)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}, {total:.0f} s of measurements; {rounds} rounds interleaved "
        f"(A B C, A B C, ...) for V1, V2, A1 and {slow_rounds} for L1, S1, M1, L0; medians of the runs. "
        "The consumer reads one byte of each plane of each frame, or one sample per audio chunk. "
        "`ours-Py / row`: our Python's median rate divided by the row's (above 1: ours is faster).",
        "",
        *machine(),
        f"- Load: load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after; other processes used "
        f"{100 * OTHERS[0] / OTHERS[1] if OTHERS[1] else 0:.1f}% of the machine's CPU time while our runs ran; "
        f"compilers (rustc, cc1, ld) were running at the start of {busy_runs} of {len(BUSY)} runs",
        "",
    ]
    text = "\n".join(head + out)
    print(text)
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "runs.log").write_text("\n".join(LOG) + "\n")
    if args.out:
        Path(args.out).write_text(text + "\n")
        print(f"\n(written to {os.path.relpath(args.out, ROOT)}; every run's JSON in target/peers/runs.log)", file=sys.stderr)


if __name__ == "__main__":
    main()
