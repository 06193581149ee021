"""Frames per second read into Python from an unpaced fake 1920x1080 I420
camera, touching one byte of each plane of every frame (the issue's
benchmark; target >= 10,000 frames/s).

Usage: python benches/python/read_fake.py [FRAMES] [ROUNDS]   (default 600 frames, 5 rounds)
Build the extension in release mode first (scripts/test-python --release, or
maturin build --release -m bindings/python/Cargo.toml and pip install the wheel).
"""

from __future__ import annotations

import sys
import time

import localmediastream as lms

WARM_UP = 100


def read_frames(track: lms.MediaStreamTrack, count: int) -> int:
    checksum = 0
    for _ in range(count):
        frame = track.read()
        for plane in frame.planes:
            checksum += plane[0]
    return checksum


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 1, "audio": 0})
    constraints = {"width": {"exact": 1920}, "height": {"exact": 1080}, "pixelFormat": {"exact": "I420"}}
    with lms.open(video=constraints) as stream:
        track = stream.get_video_tracks()[0]
        settings = track.get_settings()
        read_frames(track, WARM_UP)
        rates = []
        for _ in range(rounds):
            start = time.perf_counter()
            read_frames(track, frames)
            rates.append(frames / (time.perf_counter() - start))
        dropped = track.stats.frames_dropped
    print(
        f"python read_fake: {settings['width']}x{settings['height']} {settings['pixelFormat']} unpaced, "
        f"{frames} frames x {rounds} rounds: best {max(rates):,.0f} frames/s, "
        f"median {sorted(rates)[len(rates) // 2]:,.0f} frames/s (dropped {dropped})"
    )


if __name__ == "__main__":
    main()
