"""Frames per second an aiortc sender could take from a Y4M file: our file
camera through `localmediastream.aiortc.to_aiortc` against aiortc's own
`aiortc.contrib.media.MediaPlayer`, both unpaced, `recv()` after `recv()` in
one event loop, side by side in one run (the median of ROUNDS rounds each,
the two alternating).

Usage: python benches/python/aiortc_vs_mediaplayer.py [FRAMES] [ROUNDS] [WIDTHxHEIGHT]
       (default 600 frames, 3 rounds, 1280x720)
Needs `pip install 'localmediastream[aiortc]'`; build the extension in release
mode first (scripts/test-python --release).

Both give `av.VideoFrame`s in yuv420p that loop over the file's 30 pictures.
MediaPlayer paces a file in real time unless told otherwise: its (private)
`_throttle_playback` is turned off here so that both run as fast as they can.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

import av
import numpy as np
from aiortc.contrib.media import MediaPlayer

import localmediastream as lms
from localmediastream.aiortc import to_aiortc

PICTURES = 30
WARM_UP = 30


def write_y4m(path: Path, w: int, h: int) -> None:
    yy, xx = np.mgrid[0:h, 0:w]
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(PICTURES):
            y = ((xx + 8 * i) % 256).astype(np.uint8) ^ (yy % 256).astype(np.uint8)
            chroma = np.full(((h + 1) // 2, (w + 1) // 2), 64 + 4 * i, dtype=np.uint8)
            f.write(b"FRAME\n" + y.tobytes() + chroma.tobytes() + chroma.tobytes())


async def rate(recv: Callable[[], Awaitable[Any]], frames: int) -> float:
    """Frames per second of `frames` calls of `recv`, after a warm-up."""
    for _ in range(WARM_UP):
        await recv()
    start = time.perf_counter()
    for _ in range(frames):
        frame = await recv()
        assert isinstance(frame, av.VideoFrame) and frame.format.name == "yuv420p"
    return frames / (time.perf_counter() - start)


async def ours(path: Path, frames: int) -> float:
    lms.configure(backends=["file"], file={"video": str(path), "pacing": "none"})
    with lms.open(video=True) as stream:
        track = to_aiortc(stream.get_video_tracks()[0])
        result = await rate(track.recv, frames)
        track.stop()
    return result


async def theirs(path: Path, frames: int) -> float:
    player = MediaPlayer(str(path), loop=True)
    player._throttle_playback = False  # as fast as it can, as ours
    track = player.video
    assert track is not None
    try:
        return await rate(track.recv, frames)
    finally:
        track.stop()  # ends the player's decoding thread


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    w, h = (int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "1280x720").split("x"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.y4m"
        write_y4m(path, w, h)
        results: dict[str, list[float]] = {"localmediastream to_aiortc": [], "aiortc MediaPlayer": []}
        for _ in range(rounds):
            results["localmediastream to_aiortc"].append(asyncio.run(ours(path, frames)))
            results["aiortc MediaPlayer"].append(asyncio.run(theirs(path, frames)))
    print(f"{w}x{h} I420 Y4M, {frames} frames after {WARM_UP} of warm-up, median of {rounds} rounds:")
    for name, rates in results.items():
        print(f"  {name:28s} {statistics.median(rates):8.0f} frames/s   (rounds: "
              + ", ".join(f"{r:.0f}" for r in rates) + ")")


if __name__ == "__main__":
    main()
