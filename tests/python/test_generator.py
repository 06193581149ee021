"""VideoTrackGenerator (W3C Media Capture Transform) through the Python
binding: pictures written as numpy arrays or bytes, and frames of a camera
passed through without a copy, reach the generator's track and its clones
byte-exact with their timestamps; settings follow the frames; constraints,
mute, close and the end of the last track behave as the core says."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

import localmediastream as lms

from conftest import Recorder


def picture(shape: tuple[int, ...], n: int) -> Any:
    """A uint8 array whose bytes depend on their position and on `n`."""
    k = np.arange(int(np.prod(shape)), dtype=np.uint32)
    return ((k * 7 + (k >> 8) * 3 + n * 11) & 0xFF).astype(np.uint8).reshape(shape)


def i420(width: int, height: int, n: int) -> list[Any]:
    cw, ch = (width + 1) // 2, (height + 1) // 2
    return [picture((height, width), n), picture((ch, cw), n + 1), picture((ch, cw), n + 2)]


def same_planes(frame: lms.Frame, planes: list[Any]) -> bool:
    got = frame.to_numpy()
    got = got if isinstance(got, list) else [got]
    return len(got) == len(planes) and all(
        g.shape == p.shape and np.array_equal(g, p) for g, p in zip(got, planes)
    )


def test_numpy_pictures_reach_the_track_and_its_clone_byte_exact() -> None:
    generator = lms.VideoTrackGenerator()
    track = generator.track
    assert generator.track is track, "the same object each time"
    assert isinstance(track, lms.MediaStreamTrack) and track.kind == "video"
    assert track.ready_state == "live" and not generator.closed and not generator.muted
    clone = track.clone()
    for n in range(4):
        planes = i420(64, 48, n)
        # A list of (height, width) planes: the size comes from the Y plane.
        generator.write(planes, 1000 * n, format="I420")
        for t in (track, clone):
            frame = t.read(timeout=5)
            assert (frame.format, frame.width, frame.height) == ("I420", 64, 48)
            assert frame.timestamp_us == 1000 * n, "the written timestamp is kept"
            assert same_planes(frame, planes)
    # The same picture as one buffer of planes back to back (as bytes of a frame's planes).
    planes = i420(64, 48, 9)
    generator.write(b"".join(p.tobytes() for p in planes), 77, format="I420", width=64, height=48)
    frame = clone.read(timeout=5)
    assert frame.timestamp_us == 77 and same_planes(frame, planes)
    assert b"".join(bytes(p) for p in frame.planes) == b"".join(p.tobytes() for p in planes)
    assert same_planes(track.read(timeout=5), planes)
    # ... and as the (height * 3 / 2, width) array some libraries give, here
    # with padded rows (made contiguous before it is split into planes).
    padded = np.zeros((72, 80), dtype=np.uint8)
    padded[:, :64] = np.concatenate([p.ravel() for p in planes]).reshape(72, 64)
    generator.write(padded[:, :64], 78, format="I420", width=64, height=48)
    for t in (track, clone):
        frame = t.read(timeout=5)
        assert frame.timestamp_us == 78 and same_planes(frame, planes)

    # Unasked, a track gets the frames as written (a camera's tracks get I420);
    # the clone asks for RGBA, which is what is written next.
    clone.apply_constraints({"pixelFormat": "RGBA"})
    # RGBA as a (height, width, 4) array: no width/height needed.
    rgba = picture((30, 40, 4), 5)
    generator.write(rgba, timestamp=123, format="RGBA")
    for t in (track, clone):
        frame = t.read(timeout=5)
        assert (frame.format, frame.width, frame.height, frame.timestamp_us) == ("RGBA", 40, 30, 123)
        assert np.array_equal(frame.to_numpy(), rgba)
    assert track.get_settings()["width"] == 40 and track.get_settings()["pixelFormat"] == "RGBA"

    # A view with padded rows (read in place) and a reversed one (made contiguous first).
    big = picture((30, 50, 4), 6)
    for view in (big[:, 5:45], big[::-1, 5:45], np.asfortranarray(big[:, :40])):
        generator.write(view, 1, format="RGBA")
        frame = clone.read(timeout=5)
        assert np.array_equal(frame.to_numpy(), view)
        track.read(timeout=5)
    # Every other format, from what to_numpy() of such a frame gives.
    for fmt, arrays in [
        ("NV12", [picture((48, 64), 1), picture((24, 32, 2), 2)]),
        ("YUY2", picture((48, 64, 2), 3)),
        ("RGB24", picture((48, 64, 3), 4)),
        ("BGR24", picture((48, 64, 3), 5)),
        ("BGRA", picture((48, 64, 4), 6)),
    ]:
        for t in (track, clone):
            t.apply_constraints({"pixelFormat": {"exact": fmt}})
        generator.write(arrays, 2, format=fmt)
        frame = clone.read(timeout=5)
        assert (frame.format, frame.width, frame.height) == (fmt, 64, 48)
        assert same_planes(frame, arrays if isinstance(arrays, list) else [arrays])
        track.read(timeout=5)
    generator.close()


def test_a_picture_without_a_timestamp_is_stamped_now() -> None:
    with lms.VideoTrackGenerator() as generator:
        generator.write(bytearray(8 * 8 * 4), format="RGBA", width=8, height=8)
        frame = generator.track.read(timeout=5)
        assert abs(frame.timestamp_us - time.monotonic_ns() // 1000) < 5_000_000
        assert (frame.width, frame.height) == (8, 8)


def test_a_camera_frame_passes_through_without_a_copy_and_keeps_its_sequence_code() -> None:
    with lms.open(video={"width": 320, "height": 240}) as stream, lms.VideoTrackGenerator() as g:
        camera = stream.get_video_tracks()[0]
        out = g.track
        for i in range(4):
            frame = camera.read(timeout=5)
            code = lms.decode_sequence(frame)
            assert code is not None
            if i % 2:
                g.write(frame)
            else:
                g.write(frame, timestamp=42 + i)
            back = out.read(timeout=5)
            assert np.shares_memory(np.asarray(back.plane(0)), np.asarray(frame.plane(0))), "no copy"
            assert lms.decode_sequence(back) == code
            assert back.timestamp_us == (frame.timestamp_us if i % 2 else 42 + i)
            assert (back.format, back.width, back.height) == ("I420", 320, 240)
        with pytest.raises(TypeError, match="Frame carries its own"):
            g.write(frame, format="I420")


def test_settings_follow_the_frames_and_a_constrained_clone_gets_small_rgba() -> None:
    g = lms.VideoTrackGenerator()
    track = g.track
    assert (track.get_settings()["width"], track.get_settings()["height"]) == (0, 0)
    small = track.clone()
    small.apply_constraints({"width": {"max": 32}, "pixelFormat": "RGBA"})
    for width, height in [(320, 240), (1280, 720), (64, 48)]:
        g.write(i420(width, height, 0), format="I420")
        settings = track.get_settings()
        assert (settings["width"], settings["height"], settings["pixelFormat"]) == (width, height, "I420")
        frame = small.read(timeout=5)
        assert (frame.format, frame.width) == ("RGBA", 32)
        assert frame.height == round(32 * height / width)
        assert frame.to_numpy().shape == (frame.height, 32, 4)
        assert small.get_settings()["width"] == 32 and small.get_settings()["pixelFormat"] == "RGBA"
        assert same_planes(track.read(timeout=5), i420(width, height, 0))
    assert track.get_constraints() == {}
    g.close()


@pytest.mark.parametrize(
    "constraints, name",
    [
        ({"width": {"min": 20000}}, "width"),
        ({"frameRate": {"exact": 5000}}, "frameRate"),
        ({"facingMode": {"exact": "user"}}, "facingMode"),
    ],
)
def test_constraints_no_frame_could_meet_are_overconstrained(constraints: dict[str, Any], name: str) -> None:
    with lms.VideoTrackGenerator() as g:
        with pytest.raises(lms.OverconstrainedError) as e:
            g.track.apply_constraints(constraints)
        assert e.value.constraint == name
        assert g.track.get_constraints() == {}


def test_muting_drops_frames_and_fires_mute_and_unmute() -> None:
    g = lms.VideoTrackGenerator()
    clone = g.track.clone()
    mute, unmute = Recorder(), Recorder()
    clone.add_event_listener("mute", mute)
    clone.add_event_listener("unmute", unmute)
    rgba = picture((8, 8, 4), 0)
    g.muted = True
    g.muted = True
    assert g.muted and g.track.muted and clone.muted
    g.write(rgba, 1, format="RGBA")
    assert clone.try_read() is None and g.track.try_read() is None, "a muted generator sends nothing"
    g.muted = False
    assert not clone.muted
    g.write(rgba, 5, format="RGBA")
    assert clone.read(timeout=5).timestamp_us == 5
    assert [e.type for e in mute.settled()] == ["mute"]
    assert [e.type for e in unmute.settled()] == ["unmute"]
    assert mute.events[0].target is clone
    g.close()


def test_close_ends_the_tracks_and_refuses_writes() -> None:
    g = lms.VideoTrackGenerator()
    track = g.track
    clone = track.clone()
    ended = Recorder()
    clone.add_event_listener("ended", ended)
    rgba = picture((8, 8, 4), 0)
    g.write(rgba, 3, format="RGBA")
    g.close()
    g.close()
    assert g.closed
    assert track.ready_state == "ended" and clone.ready_state == "ended"
    assert [e.type for e in ended.settled()] == ["ended"]
    assert clone.read(timeout=5).timestamp_us == 3, "frames queued before close stay readable"
    with pytest.raises(lms.InvalidStateError):
        g.write(rgba, format="RGBA")
    with pytest.raises(lms.EndedError):
        clone.read(timeout=1)
    # As a context manager: closed on leaving the block, also on an exception.
    with pytest.raises(RuntimeError):
        with lms.VideoTrackGenerator() as g2:
            inner = g2.track
            raise RuntimeError("boom")
    assert g2.closed and inner.ready_state == "ended"
    with pytest.raises(lms.InvalidStateError):
        g2.write(rgba, format="RGBA")


def test_stopping_every_track_closes_the_generator() -> None:
    with lms.open(video=True) as stream:
        camera_frame = stream.get_video_tracks()[0].read(timeout=5)
    g = lms.VideoTrackGenerator()
    clone = g.track.clone()
    g.track.stop()
    assert not g.closed, "a clone still reads"
    g.write(picture((8, 8, 4), 0), format="RGBA")
    assert clone.read(timeout=5).width == 8
    clone.stop()
    assert g.closed
    with pytest.raises(lms.InvalidStateError):
        g.write(picture((8, 8, 4), 0), format="RGBA")
    with pytest.raises(lms.InvalidStateError):
        g.write(camera_frame)


def test_bad_pictures_are_type_errors_naming_what_is_wrong() -> None:
    g = lms.VideoTrackGenerator()
    y, u, v = i420(16, 16, 0)
    cases: list[tuple[Any, dict[str, Any], str]] = [
        # One buffer too short: the plane it runs out in.
        (b"\0" * (16 * 16 + 8 * 8 + 10), {"width": 16, "height": 16}, "plane 2"),
        ([y, u[:3], v], {}, "plane 1"),
        ([y.tobytes(), u.tobytes(), v.tobytes()[:-1]], {"width": 16, "height": 16}, "plane 2"),
        ([y, u.tobytes() + b"\0", v], {}, "plane 1"),
        (b"\0" * 500, {"width": 16, "height": 16}, "384 bytes"),
        ([y, u], {}, "3 planes"),
        (b"\0" * 100, {}, "width= and height= are needed"),
        (y, {"width": 0, "height": 16}, "0x16"),
    ]
    for data, size, message in cases:
        with pytest.raises(lms.TypeError, match=message):
            g.write(data, format="I420", **size)
    with pytest.raises(lms.TypeError, match="plane 0"):
        g.write(b"\0" * 100, format="RGBA", width=8, height=8)
    with pytest.raises(lms.TypeError, match=r"does not hold RGBA pixels"):
        g.write(picture((8, 8, 3), 0), format="RGBA")
    with pytest.raises(lms.TypeError, match="do not match"):
        g.write(picture((8, 8, 4), 0), format="RGBA", width=4, height=16)
    with pytest.raises(lms.TypeError, match="format="):
        g.write(picture((8, 8, 4), 0))
    with pytest.raises(lms.TypeError, match="format must be"):
        g.write(picture((8, 8, 4), 0), format="MJPEG")
    with pytest.raises(lms.TypeError, match="bytes"):
        g.write(np.zeros((8, 8, 4), dtype=np.float32), format="RGBA")
    with pytest.raises(lms.TypeError, match="got int"):
        g.write(5, format="RGBA", width=1, height=1)
    assert isinstance(lms.TypeError("x"), TypeError)
    assert g.track.try_read() is None, "nothing was written"
    g.close()


def test_an_audio_frame_is_refused() -> None:
    with lms.open(audio=True) as stream, lms.VideoTrackGenerator() as g:
        chunk = stream.get_audio_tracks()[0].read(timeout=5)
        with pytest.raises(lms.TypeError, match="audio"):
            g.write(chunk)
        assert g.track.try_read() is None


def test_the_readme_example_runs() -> None:
    with lms.open(video={"width": 320, "height": 240, "pixelFormat": "RGBA"}) as camera, \
            lms.VideoTrackGenerator() as generator:
        processed = generator.track
        processed.apply_constraints({"pixelFormat": "RGBA"})
        for frame, _ in zip(camera.get_video_tracks()[0], range(3)):
            rgba = frame.to_numpy()
            inverted = rgba.copy()
            inverted[..., :3] = 255 - rgba[..., :3]
            generator.write(inverted, frame.timestamp_us, format="RGBA")
            out = processed.read(timeout=5)
            assert out.timestamp_us == frame.timestamp_us
            assert np.array_equal(out.to_numpy(), inverted)
        assert processed.get_settings()["width"] == 320
