"""`async for frame in track` runs beside other asyncio tasks without starving them."""

from __future__ import annotations

import asyncio

import localmediastream as lms


def test_async_for_runs_beside_another_task_without_starving_it() -> None:
    async def main() -> tuple[int, list[int]]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        sequences = []
        with lms.open(video={"width": 160, "height": 120}) as stream:
            async for frame in stream.get_tracks()[0]:
                sequences.append(frame.sequence)
                if len(sequences) == 300:
                    break
        done.set()
        await task
        return ticks, sequences

    ticks, sequences = asyncio.run(main())
    assert sequences == list(range(sequences[0], sequences[0] + 300))
    # An unpaced source always has a frame ready: the iterator must still give
    # the loop a turn per frame instead of running 300 iterations in one go.
    assert ticks >= 250, f"the other task ran only {ticks} times during 300 frames"


def test_async_for_waits_for_a_paced_source_without_blocking_the_loop() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "realtime", "video": 1, "audio": 0})

    async def main() -> tuple[int, int]:
        ticks = 0
        frames = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        task = asyncio.create_task(ticker())
        with lms.open(video={"width": 160, "height": 120, "frameRate": 10}) as stream:
            async for _ in stream.get_tracks()[0]:
                frames += 1
                if ticks >= 20 or frames == 15:
                    break
        task.cancel()
        return ticks, frames

    # Counted in frames, not seconds: an iterator that blocked the loop while
    # it waited would let the ticker run at most once per frame (15 frames,
    # 1.5 s); one that awaits lets it run every 5 ms (~20 times a frame).
    ticks, frames = asyncio.run(main())
    assert ticks >= 20, f"the loop ran only {ticks} times while {frames} frames were awaited"


def test_async_for_ends_when_the_track_ends() -> None:
    async def main() -> tuple[int, str]:
        stream = lms.open(video={"width": 160, "height": 120})
        track = stream.get_tracks()[0]
        n = 0
        async for _ in track:
            n += 1
            if n == 10:
                lms.fake_device_control("fake:video:0", "disconnect")
        return n, track.ready_state

    n, state = asyncio.run(main())
    assert n >= 10
    assert state == "ended", "the loop ended because the track did"


def test_async_for_on_a_stopped_track_ends_at_once() -> None:
    async def main() -> int:
        stream = lms.open(audio=True)
        stream.stop()
        return len([f async for f in stream.get_tracks()[0]])

    assert asyncio.run(main()) == 0
