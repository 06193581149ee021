"""Context managers, garbage collection, identity, listeners, callbacks, threads."""

from __future__ import annotations

import gc
import sys
import threading
import time
import weakref
from typing import Any

import pytest

import localmediastream as lms
from conftest import Recorder, eventually


def is_open(device: str = "fake:video:0") -> bool:
    return lms.fake_device_usage(device).is_open


def test_the_with_block_stops_capture_on_exit() -> None:
    with lms.open(video=True, audio=True) as stream:
        assert stream.active and is_open() and is_open("fake:audio:0")
    assert not stream.active
    assert not is_open() and not is_open("fake:audio:0")


def test_the_with_block_stops_capture_even_when_its_body_raises() -> None:
    with pytest.raises(ZeroDivisionError):
        with lms.open(video=True) as stream:
            track = stream.get_tracks()[0]
            track.read(timeout=5)
            1 / 0
    assert track.ready_state == "ended"
    assert not is_open()


def test_collecting_a_live_track_releases_the_fake_device() -> None:
    track = lms.open(video=True).get_tracks()[0]  # the stream is gone at once
    track.read(timeout=5)
    assert is_open()
    closes = lms.fake_device_usage("fake:video:0").closes
    del track
    gc.collect()
    assert lms.fake_device_usage("fake:video:0").closes == closes + 1


def test_collecting_a_live_stream_releases_its_devices() -> None:
    stream = lms.open(video=True, audio=True)
    stream.get_tracks()  # Python objects for the tracks exist and die with it
    del stream
    gc.collect()
    assert not is_open() and not is_open("fake:audio:0")


def test_a_track_in_a_reference_cycle_is_collected_and_released() -> None:
    class Holder:
        pass

    h = Holder()
    h.me = h  # type: ignore[attr-defined]
    h.track = lms.open(video=True).get_tracks()[0]  # type: ignore[attr-defined]
    del h
    gc.collect()
    assert not is_open()


def test_a_listener_does_not_keep_its_track_alive() -> None:
    track = lms.open(video=True).get_tracks()[0]
    track.add_event_listener("ended", Recorder())
    alive = weakref.ref(track)
    del track
    gc.collect()
    assert alive() is None
    assert not is_open()


def test_the_same_core_track_is_the_same_python_object() -> None:
    with lms.open(video=True, audio=True) as s:
        first = s.get_tracks()
        assert [t for t in s.get_tracks()] == first
        assert all(a is b for a, b in zip(first, s.get_tracks()))
        assert lms.MediaStream(first).get_tracks()[1] is first[1]
        clone = first[1].clone()
        assert clone is not first[1] and clone.id != first[1].id
        clone.stop()


def test_listeners_registered_on_a_temporary_track_object_still_fire() -> None:
    s = lms.open(video=True)
    seen = Recorder()
    s.get_tracks()[0].add_event_listener("mute", seen)
    gc.collect()
    lms.fake_device_control("fake:video:0", "mute")
    assert [e.type for e in seen.settled()] == ["mute"]
    s.get_tracks()[0].remove_event_listener("mute", seen)
    lms.fake_device_control("fake:video:0", "unmute")
    lms.fake_device_control("fake:video:0", "mute")
    assert len(seen.settled()) == 1, "removed through another object of the same track"
    s.stop()


def test_mute_and_unmute_fire_on_the_event_thread_holding_the_gil() -> None:
    calls: list[tuple[str, bool, str]] = []
    with lms.open(audio=True) as s:
        t = s.get_tracks()[0]

        def listener(event: lms.Event) -> None:
            # Touching Python objects here proves the GIL is held.
            calls.append((event.type, event.target is t, threading.current_thread().name))

        t.add_event_listener("mute", listener)
        t.add_event_listener("mute", listener)  # the same pair twice is one listener
        t.add_event_listener("unmute", listener)
        lms.fake_device_control("fake:audio:0", "mute")
        assert eventually(lambda: t.muted)
        lms.fake_device_control("fake:audio:0", "unmute")
        lms.flush_events()
        assert [c[:2] for c in calls] == [("mute", True), ("unmute", True)]
        assert all(c[2] != threading.current_thread().name for c in calls)
        assert not t.muted and t.ready_state == "live"


def test_a_listener_that_raises_goes_to_the_unraisable_hook_and_capture_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caught: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)
    calls = Recorder()
    with lms.open(video={"width": 160, "height": 120}) as s:
        t = s.get_tracks()[0]

        def broken(event: lms.Event) -> None:
            raise RuntimeError("listener bug")

        t.add_event_listener("mute", broken)
        t.add_event_listener("mute", calls)
        lms.fake_device_control("fake:video:0", "mute")
        lms.flush_events()
        assert len(caught) == 1 and isinstance(caught[0].exc_value, RuntimeError)
        assert len(calls.events) == 1, "the next listener still ran"
        lms.fake_device_control("fake:video:0", "unmute")
        t.read(timeout=5)  # capture goes on


def test_a_frame_callback_gets_frames_in_order_and_may_stop_its_track(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caught: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)
    s = lms.open(video={"width": 160, "height": 120})
    t = s.get_tracks()[0]
    seen: list[tuple[int, str]] = []

    def on_frame(frame: lms.Frame) -> None:
        seen.append((frame.sequence, threading.current_thread().name))
        if len(seen) == 3:
            raise ValueError("a callback bug does not stop delivery")
        if len(seen) == 50:
            t.stop()

    t.set_frame_callback(on_frame)
    assert eventually(lambda: t.ready_state == "ended")
    time.sleep(0.05)
    assert len(seen) == 50
    assert all(b[0] == a[0] + 1 for a, b in zip(seen, seen[1:]))
    assert len(caught) == 1 and isinstance(caught[0].exc_value, ValueError)
    assert not is_open()


def test_replacing_and_clearing_a_frame_callback_while_frames_flow() -> None:
    with lms.open(video={"width": 160, "height": 120}) as s:
        t = s.get_tracks()[0]
        counts = [0, 0]
        t.set_frame_callback(lambda f: counts.__setitem__(0, counts[0] + 1))
        assert eventually(lambda: counts[0] > 10)
        t.set_frame_callback(lambda f: counts.__setitem__(1, counts[1] + 1))
        assert eventually(lambda: counts[1] > 10)
        t.set_frame_callback(None)
        t.read(timeout=5)  # pull delivery again


def test_blocking_reads_release_the_gil() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "realtime", "video": 1, "audio": 0})
    with lms.open(video={"frameRate": 1}) as s:
        t = s.get_tracks()[0]
        t.read(timeout=5)
        lms.fake_device_control("fake:video:0", "mute")  # no more frames
        ticks = []

        def ticker() -> None:
            # Runs Python code while the test thread waits in read(), then ends
            # that wait: possible only if read() let go of the GIL.
            for _ in range(50):
                ticks.append(1)
                time.sleep(0.001)
            t.stop()

        th = threading.Thread(target=ticker)
        th.start()
        with pytest.raises(lms.EndedError):
            while True:  # a frame already on its way when muted is read too
                t.read(timeout=60)  # held the GIL: no stop, a TimeoutError after 60 s
        th.join()
        assert len(ticks) == 50, "another Python thread ran while read() waited"


def test_reads_from_many_threads_and_stops_leave_nothing_open() -> None:
    s = lms.open(video={"width": 160, "height": 120}, audio=True)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for round_ in range(10):
                t = s.get_tracks()[(i + round_) % 2].clone()
                for _ in range(3):
                    t.read(timeout=5)
                if round_ % 2:
                    t.stop()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    s.stop()
    gc.collect()
    assert not is_open() and not is_open("fake:audio:0")


def test_the_environment_configures_the_library_without_a_configure_call() -> None:
    import os
    import subprocess

    code = (
        "import localmediastream as lms;"
        "print([d.device_id for d in lms.enumerate_devices()])"
    )
    env = dict(os.environ, LMS_BACKENDS="fake", LMS_FAKE_DEVICES="video=1,audio=0")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['fake:video:0']"


def test_ctrl_c_interrupts_a_blocking_read() -> None:
    import _thread
    import signal

    lms.configure(backends=["fake"], fake={"pacing": "realtime", "video": 1, "audio": 0})
    # interrupt_main() does nothing where Python does not handle SIGINT, as in
    # a process a shell started in the background (which ignores SIGINT).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with lms.open(video={"frameRate": 1}) as s:
            t = s.get_tracks()[0]
            t.read(timeout=5)
            # No more frames: only Ctrl-C ends the wait (not how soon it comes).
            lms.fake_device_control("fake:video:0", "mute")
            interrupt = threading.Timer(0.2, _thread.interrupt_main)
            # A read that Ctrl-C cannot interrupt ends here instead: DID NOT RAISE.
            give_up = threading.Timer(30, t.stop)
            interrupt.start()
            give_up.start()
            try:
                with pytest.raises(KeyboardInterrupt):
                    for _ in t:
                        pass
            finally:
                interrupt.cancel()
                give_up.cancel()
                interrupt.join()
                give_up.join()
    finally:
        signal.signal(signal.SIGINT, previous)
