"""localmediastream from Python, for benches/peers/run.py (one JSON line).

    ours.py v2 FILE.y4m PASSES   every frame of a Y4M file through the file device, unpaced
    ours.py a1 CHUNKS            fake microphone, 48 kHz stereo f32, 10 ms chunks, unpaced
    ours.py l1 SECONDS           live fake 1920x1080 I420 at 30 fps: capture -> consumer latency, CPU
    ours.py s1 fake|FILE.y4m N   open -> first frame, stop -> device closed
    ours.py m1 FRAMES            unpaced fake 1080p: 1 s warm-up, then FRAMES frames; RSS

V1 (the unpaced fake camera) is benches/python/read_fake.py. The consumer
reads one byte of each plane of each frame, or one sample of each audio chunk.
"""

from __future__ import annotations

import json
import sys
import time

import localmediastream as lms

VIDEO_1080P = {"width": {"exact": 1920}, "height": {"exact": 1080}, "pixelFormat": {"exact": "I420"}}


def configure_file(path: str, pacing: str | None) -> None:
    # lms.configure() has no file= argument (yet): the core's JSON document directly.
    file: dict[str, object] = {"video": path}
    if pacing:
        file["pacing"] = pacing
    lms._native.configure_json(json.dumps({"backends": ["file"], "file": file}))


def status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def v2(path: str, passes: int) -> dict:
    configure_file(path + "%noloop", "none")
    frames, seconds, checksum = 0, 0.0, 0
    for _ in range(passes):
        with lms.open(video=True) as stream:
            track = stream.get_video_tracks()[0]
            start = time.perf_counter()
            for frame in track:  # ends with the file
                for plane in frame.planes:
                    checksum += plane[0]
                frames += 1
            seconds += time.perf_counter() - start
    return {"frames": frames, "seconds": seconds, "fps": frames / seconds, "checksum": checksum % 1000}


def a1(chunks: int) -> dict:
    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 0, "audio": 1})
    audio = {"sampleRate": {"exact": 48000}, "channelCount": {"exact": 2}, "sampleFormat": {"exact": "f32"}}
    with lms.open(audio=audio) as stream:
        track = stream.get_audio_tracks()[0]
        total = 0.0
        for _ in range(100):
            total += track.read().samples[0]
        start = time.perf_counter()
        for _ in range(chunks):
            total += track.read().samples[0]
        seconds = time.perf_counter() - start
        size = track.read().sample_count
    return {"chunks": chunks, "samples_per_chunk": size, "seconds": seconds, "fps": chunks / seconds, "checksum": round(total, 3)}


def l1(seconds: float) -> dict:
    lms.configure(backends=["fake"], fake={"video": 1, "audio": 0})
    with lms.open(video={**VIDEO_1080P, "frameRate": {"exact": 30}}) as stream:
        track = stream.get_video_tracks()[0]
        checksum = sum(p[0] for p in track.read(2.0).planes)  # the first frame starts the clock
        latencies = []
        wall0, cpu0 = time.monotonic(), time.process_time()
        while time.monotonic() - wall0 < seconds:
            frame = track.read(2.0)
            latencies.append(time.monotonic_ns() // 1000 - frame.timestamp_us)
            for plane in frame.planes:
                checksum += plane[0]
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
        dropped = track.stats.frames_dropped
    latencies.sort()
    n = len(latencies)
    return {
        "frames": n, "seconds": wall, "p50_ms": latencies[n // 2] / 1e3, "p99_ms": latencies[n * 99 // 100] / 1e3,
        "max_ms": latencies[-1] / 1e3, "cpu_s": cpu, "cpu_pct": 100 * cpu / wall, "dropped": dropped,
        "checksum": checksum % 1000,
    }


def s1(what: str, iterations: int) -> dict:
    fake = what == "fake"
    if fake:
        lms.configure(backends=["fake"], fake={"video": 1, "audio": 0})
        constraints: dict = {"video": {**VIDEO_1080P, "frameRate": {"exact": 30}}}
    else:
        configure_file(what, None)
        constraints = {"video": True}
    opens, closes, checksum = [], [], 0
    for _ in range(iterations):
        threads_before = status_kb("Threads")
        t0 = time.perf_counter()
        stream = lms.open(constraints)
        frame = stream.get_video_tracks()[0].read(2.0)
        t1 = time.perf_counter()
        checksum += sum(p[0] for p in frame.planes)
        del frame
        used = lms.fake_device_usage("fake:video:0").closes if fake else 0
        t2 = time.perf_counter()
        stream.stop()
        # closed: the fake device counted a close; the file device's capture thread is gone
        while (lms.fake_device_usage("fake:video:0").closes == used) if fake else (status_kb("Threads") > threads_before):
            if time.perf_counter() - t2 > 5:
                raise SystemExit("device not closed after 5 s")
        t3 = time.perf_counter()
        opens.append((t1 - t0) * 1e3)
        closes.append((t3 - t2) * 1e3)
    first_open, first_close = opens[0], closes[0]
    opens.sort()
    closes.sort()
    return {
        "iterations": iterations, "open_first_ms": first_open, "open_p50_ms": opens[iterations // 2],
        "open_max_ms": opens[-1], "close_first_ms": first_close, "close_p50_ms": closes[iterations // 2],
        "close_max_ms": closes[-1], "checksum": checksum % 1000,
    }


def m1(frames: int) -> dict:
    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 1, "audio": 0})
    rss_before = status_kb("VmRSS")
    checksum, warm = 0, 0
    with lms.open(video=VIDEO_1080P) as stream:
        track = stream.get_video_tracks()[0]
        start = time.monotonic()
        while time.monotonic() - start < 1.0:  # the first second: pools and queues fill
            for plane in track.read(2.0).planes:
                checksum += plane[0]
            warm += 1
        rss_start = status_kb("VmRSS")
        rss_end = rss_max = rss_start
        for i in range(1, frames + 1):
            for plane in track.read(2.0).planes:
                checksum += plane[0]
            if i % 1000 == 0:
                rss_end = status_kb("VmRSS")
                rss_max = max(rss_max, rss_end)
        peak = status_kb("VmHWM")
    return {
        "warmup_frames": warm, "frames": frames, "rss_before_open_kb": rss_before, "rss_after_1s_kb": rss_start,
        "rss_end_kb": rss_end, "growth_kb": rss_end - rss_start, "max_growth_kb": rss_max - rss_start,
        "peak_kb": peak, "checksum": checksum % 1000,
    }


def main() -> None:
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "v2":
        out = v2(args[0], int(args[1]))
    elif mode == "a1":
        out = a1(int(args[0]))
    elif mode == "l1":
        out = l1(float(args[0]))
    elif mode == "s1":
        out = s1(args[0], int(args[1]))
    elif mode == "m1":
        out = m1(int(args[0]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
