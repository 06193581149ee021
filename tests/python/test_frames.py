"""Frames: order, identity, zero-copy views, numpy shapes, black and silence."""

from __future__ import annotations

import gc
import io

import pytest

import localmediastream as lms

import numpy as np  # scripts/test-python installs it: a missing numpy fails, not skips


def test_sequence_numbers_arrive_in_order_and_match_the_picture() -> None:
    with lms.open(video={"width": 320, "height": 240}) as s:
        track = s.get_video_tracks()[0]
        last = None
        for _ in range(200):
            frame = track.read(timeout=5)
            assert lms.decode_sequence(frame) == frame.sequence & 0xFFFFFFFF, (
                "the picture is the frame it claims to be"
            )
            if last is not None:
                assert frame.sequence == last + 1, "a single reader of an unpaced source loses nothing"
            last = frame.sequence
        assert track.stats.frames_dropped == 0
        assert track.stats.frames_delivered >= 200


def test_iteration_yields_frames_in_order_and_ends_when_the_track_ends() -> None:
    s = lms.open(video={"width": 160, "height": 120})
    track = s.get_tracks()[0]
    sequences = []
    for frame in track:
        sequences.append(frame.sequence)
        if len(sequences) == 50:
            lms.fake_device_control("fake:video:0", "disconnect")
    assert sequences[:50] == list(range(sequences[0], sequences[0] + 50))
    assert track.ready_state == "ended"


def test_timestamps_are_monotonic_microseconds() -> None:
    import time

    with lms.open(video={"width": 160, "height": 120}) as s:
        track = s.get_tracks()[0]
        a = track.read(timeout=5)
        b = track.read(timeout=5)
        assert a.timestamp_us <= b.timestamp_us
        assert abs(b.timestamp_us - time.monotonic_ns() // 1000) < 5_000_000


def test_planes_are_read_only_zero_copy_views_that_outlive_the_track() -> None:
    s = lms.open(video={"width": 320, "height": 240})
    track = s.get_tracks()[0]
    frame = track.read(timeout=5)
    planes = frame.planes
    assert [len(p) for p in planes] == [320 * 240, 160 * 120, 160 * 120]
    assert frame.strides == [320, 160, 160]
    assert all(p.readonly and p.format == "B" for p in planes)
    with pytest.raises(TypeError):
        planes[0][0] = 1  # type: ignore[index]
    a = np.asarray(frame.planes[0])
    b = np.asarray(frame.plane(0))
    assert np.shares_memory(a, b), "two arrays of one plane share the frame's memory"
    assert not a.flags.writeable
    y = frame.to_numpy()[0]
    assert np.shares_memory(a, y)
    sequence = frame.sequence
    assert lms.decode_sequence(frame) == sequence & 0xFFFFFFFF, "the views show this frame's picture"
    snapshot = a.copy()
    s.stop()
    del frame, planes, track, s
    gc.collect()
    assert not lms.fake_device_usage("fake:video:0").is_open
    # The views keep the frame's buffer alive after the track stopped.
    assert (a == snapshot).all() and (y == snapshot.reshape(240, 320)).all()
    frame_again = memoryview(a)
    assert frame_again[0] == snapshot[0]


def test_a_plane_buffer_refuses_a_writable_view_and_direct_construction() -> None:
    with lms.open(video={"width": 160, "height": 120}) as s:
        plane = s.get_tracks()[0].read(timeout=5).planes[0]
        exporter = plane.obj
        assert memoryview(exporter).readonly
        with pytest.raises((BufferError, TypeError), match="read-write|read-only"):
            io.BytesIO(b"x").readinto(exporter)  # asks for a writable buffer
        with pytest.raises(ValueError):
            np.frombuffer(exporter, dtype=np.uint8).setflags(write=True)
        with pytest.raises(TypeError):
            type(exporter)()


@pytest.mark.parametrize(
    "pixel_format, shapes",
    [
        ("I420", [(120, 160), (60, 80), (60, 80)]),
        ("NV12", [(120, 160), (60, 80, 2)]),
        ("YUY2", (120, 160, 2)),
        ("RGB24", (120, 160, 3)),
        ("BGR24", (120, 160, 3)),
        ("RGBA", (120, 160, 4)),
        ("BGRA", (120, 160, 4)),
    ],
)
def test_to_numpy_gives_the_natural_shape_of_each_format(pixel_format: str, shapes: object) -> None:
    with lms.open(video={"width": 160, "height": 120, "pixelFormat": {"exact": pixel_format}}) as s:
        frame = s.get_tracks()[0].read(timeout=5)
        assert frame.format == pixel_format
        arrays = frame.to_numpy()
        got = [a.shape for a in arrays] if isinstance(arrays, list) else arrays.shape
        assert got == shapes
        first = arrays[0] if isinstance(arrays, list) else arrays
        assert first.dtype == np.uint8 and not first.flags.writeable
        assert np.shares_memory(first, np.asarray(frame.planes[0]))
        assert lms.decode_sequence(frame) == frame.sequence & 0xFFFFFFFF
        if pixel_format in ("RGBA", "BGRA"):
            assert (first[..., 3] == 255).all()


def test_audio_frames_expose_samples_without_a_copy() -> None:
    with lms.open(audio={"sampleRate": 16000, "channelCount": 2}) as s:
        chunk = s.get_tracks()[0].read(timeout=5)
        assert (chunk.kind, chunk.format, chunk.sample_rate, chunk.channels) == ("audio", "f32", 16000, 2)
        assert chunk.sample_count == 160 and (chunk.width, chunk.height) == (0, 0)
        samples = chunk.samples
        assert samples.format == "f" and len(samples) == 320 and samples.readonly
        array = chunk.to_numpy()
        assert array.shape == (160, 2) and array.dtype == np.float32
        assert np.shares_memory(array, np.asarray(samples))
        assert np.abs(array).max() > 0.1, "a live microphone plays its tone"
    with lms.open(audio={"sampleFormat": {"exact": "s16"}}) as s:
        chunk = s.get_tracks()[0].read(timeout=5)
        assert chunk.format == "s16" and chunk.samples.format == "h"
        assert chunk.to_numpy().dtype == np.int16
        assert lms.decode_sequence(chunk) is None


def test_a_video_frame_has_no_samples_and_planes_are_bounded() -> None:
    with lms.open(video={"width": 160, "height": 120}) as s:
        frame = s.get_tracks()[0].read(timeout=5)
        with pytest.raises(lms.InvalidStateError):
            frame.samples
        with pytest.raises(lms.InvalidArgumentError):
            frame.plane(3)
        assert frame.sample_rate == 0 and frame.channels == 0 and frame.sample_count == 0
        assert repr(frame).startswith("<Frame video I420 160x120")


def test_a_slow_reader_drops_its_own_oldest_frames_and_counts_them() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 1, "audio": 0}, queue_size=4)
    with lms.open(video={"width": 160, "height": 120}) as s:
        fast = s.get_tracks()[0]
        slow = fast.clone()
        for _ in range(100):
            fast.read(timeout=5)
        assert slow.stats.frames_delivered == 0
        assert slow.stats.frames_dropped >= 90
        newest = slow.read(timeout=5).sequence
        assert newest > 80, "the slow track kept recent frames"
        slow.stop()


def test_configure_file_plays_a_y4m_file_as_a_camera(tmp_path: "object") -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "two.y4m"
    w, h = 16, 8
    frames = [bytes([10 + i]) * (w * h) + bytes([128]) * (w * h // 2) for i in range(2)]
    path.write_bytes(
        f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode()
        + b"".join(b"FRAME\n" + f for f in frames)
    )
    lms.configure(file={"video": str(path), "loop": False, "pacing": "none"})
    with lms.open(video=True) as s:
        track = s.get_video_tracks()[0]
        assert track.get_settings()["width"] == w
        got = [bytes(track.read(timeout=5).planes[0])[0] for _ in range(2)]
        assert got == [10, 11], "the file's pictures, in order"
