"""ImageCapture (W3C MediaStream Image Capture) through the Python binding:
photos are JPEG (or PNG) files of the asked size, grab_frame() gives RGBA
frames at the track's size, and bad arguments and ended tracks fail with the
specification's errors. The files are checked by parsing their headers (no
image library needed)."""

from __future__ import annotations

import asyncio
import struct
import threading
import time
import zlib
from typing import Iterator

import numpy as np
import pytest

import localmediastream as lms

from conftest import fake


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG file's start-of-frame segment."""
    assert data[:3] == b"\xff\xd8\xff", "JPEG magic (SOI then a marker)"
    i = 2
    while i + 4 <= len(data):
        assert data[i] == 0xFF, f"a marker at {i}"
        marker = data[i + 1]
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        assert marker != 0xDA, "start of scan before any start of frame"
        i += 2 + length
    raise AssertionError("no start-of-frame segment")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG file's IHDR chunk (checking its CRC)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG magic"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert crc == zlib.crc32(kind + body), "IHDR CRC"
    width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    assert depth == 8 and colour in (2, 6), "8-bit RGB or RGBA"
    assert data.endswith(b"IEND\xaeB`\x82"), "ends with IEND"
    return width, height


@pytest.fixture(params=["none", "realtime"])
def pacing(request: pytest.FixtureRequest) -> str:
    """Photos and grabbed frames must be right however fast the camera runs."""
    fake(pacing=request.param)
    return str(request.param)


@pytest.fixture
def camera(pacing: str) -> Iterator[lms.MediaStreamTrack]:
    with lms.open(video={"deviceId": {"exact": "fake:video:0"}}) as stream:
        track = stream.get_video_tracks()[0]
        assert (track.get_settings()["width"], track.get_settings()["height"]) == (640, 480)
        yield track


def test_take_photo_gives_a_jpeg_of_the_camera_size(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    for _ in range(5):
        photo = capture.take_photo()
        assert isinstance(photo, bytes)
        assert jpeg_size(photo) == (640, 480)
        assert photo.endswith(b"\xff\xd9"), "EOI"
    assert jpeg_size(capture.take_photo(timeout=1e300)) == (640, 480), "a huge timeout: no limit"
    assert jpeg_size(capture.take_photo(timeout=10)) == (640, 480)


def test_a_photo_takes_the_asked_size(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    for _ in range(3):
        assert jpeg_size(capture.take_photo(image_width=320)) == (320, 240)
    assert jpeg_size(capture.take_photo(image_height=120)) == (160, 120)
    assert jpeg_size(capture.take_photo(image_width=100, image_height=50)) == (100, 50)
    assert jpeg_size(capture.take_photo(image_width=320.0)) == (320, 240)
    assert jpeg_size(capture.take_photo(image_width=np.int64(320))) == (320, 240)  # type: ignore[arg-type]


def test_a_png_photo(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    for _ in range(3):
        assert png_size(capture.take_photo(image_type="image/png")) == (640, 480)
    assert png_size(capture.take_photo(image_type="image/png", image_width=320)) == (320, 240)
    assert jpeg_size(capture.take_photo(image_type="image/jpeg")) == (640, 480)


def test_photo_capabilities_and_settings_follow_the_camera(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    caps = capture.get_photo_capabilities()
    assert caps["imageWidth"] == {"min": 1, "max": 640, "step": 1}
    assert caps["imageHeight"] == {"min": 1, "max": 480, "step": 1}
    assert caps["fillLightMode"] == ["off"]
    assert caps["redEyeReduction"] == "never"
    assert capture.get_photo_settings() == {
        "fillLightMode": "off",
        "imageHeight": 480,
        "imageWidth": 640,
        "redEyeReduction": False,
    }


def test_a_photo_never_reconfigures_a_shared_camera(camera: lms.MediaStreamTrack) -> None:
    """A smaller track on the camera the photo shares does not shrink the photo,
    and taking one changes neither track."""
    small = camera.clone()
    try:
        small.apply_constraints({"width": 320, "height": 240})
        capture = lms.ImageCapture(small)
        assert jpeg_size(capture.take_photo()) == (640, 480)
        assert (small.get_settings()["width"], camera.get_settings()["width"]) == (320, 640)
        frame = capture.grab_frame()
        assert (frame.width, frame.height) == (320, 240), "grab_frame: the track's own size"
    finally:
        small.stop()


def test_grab_frame_gives_an_rgba_frame_of_the_track_size(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    for _ in range(5):
        frame = capture.grab_frame(timeout=10)
        assert isinstance(frame, lms.Frame)
        assert (frame.kind, frame.format, frame.width, frame.height) == ("video", "RGBA", 640, 480)
        rgba = frame.to_numpy()
        assert rgba.shape == (480, 640, 4)
        assert (rgba[:, :, 3] == 255).all(), "opaque"
        assert lms.decode_sequence(frame) == frame.sequence, "the camera's own picture"
    camera.apply_constraints({"width": 320, "height": 240})
    frame = capture.grab_frame()
    assert (frame.format, frame.width, frame.height) == ("RGBA", 320, 240)


def test_taking_photos_steals_no_frame_from_the_track(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    first = camera.read(timeout=10).sequence
    capture.take_photo()
    capture.grab_frame()
    seen = [camera.read(timeout=10).sequence for _ in range(3)]
    assert all(s > first for s in seen)
    assert camera.get_settings()["pixelFormat"] == "I420", "the track's own format is kept"


def test_the_track_property_is_the_same_object(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    assert capture.track is camera
    assert "ImageCapture" in repr(capture)


def test_a_photo_shows_the_camera_controls(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)

    def mean_luma() -> float:
        rgba = capture.grab_frame().to_numpy().astype(np.float64)
        return float((0.299 * rgba[:, :, 0] + 0.587 * rgba[:, :, 1] + 0.114 * rgba[:, :, 2]).mean())

    before = mean_luma()
    camera.apply_constraints({"brightness": 220})
    after = mean_luma()
    assert after > before + 20, f"mean luma {before:.1f} -> {after:.1f}"


def test_after_stop_every_call_is_invalid_state(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    camera.stop()
    with pytest.raises(lms.InvalidStateError):
        capture.take_photo()
    with pytest.raises(lms.InvalidStateError):
        capture.take_photo(image_type="image/png")
    with pytest.raises(lms.InvalidStateError):
        capture.grab_frame()
    with pytest.raises(lms.InvalidStateError):
        capture.get_photo_capabilities()
    with pytest.raises(lms.InvalidStateError):
        capture.get_photo_settings()
    # An ImageCapture of an ended track can be made; its calls fail the same way.
    with pytest.raises(lms.InvalidStateError):
        lms.ImageCapture(camera).take_photo()


def test_a_photo_in_progress_when_the_camera_is_lost_is_invalid_state(pacing: str) -> None:
    if pacing == "none":
        pytest.skip("needs a camera that waits between frames")
    with lms.open(video={"frameRate": {"exact": 1}}) as stream:
        track = stream.get_video_tracks()[0]
        capture = lms.ImageCapture(track)
        capture.grab_frame(timeout=5)  # the next frame is about a second away
        unplug = threading.Timer(0.2, lms.fake_device_control, ("fake:video:0", "disconnect"))
        unplug.start()
        try:
            start = time.monotonic()
            with pytest.raises(lms.InvalidStateError):
                capture.take_photo(timeout=10)
            assert time.monotonic() - start < 5, "the photo stops waiting at once"
        finally:
            unplug.join()
        assert track.ready_state == "ended"


def test_an_audio_track_cannot_take_photos() -> None:
    with lms.open(audio=True) as stream:
        audio = stream.get_audio_tracks()[0]
        with pytest.raises(lms.TypeError):
            lms.ImageCapture(audio)
        with pytest.raises(TypeError):
            lms.ImageCapture(audio)
    with pytest.raises(lms.TypeError):
        lms.ImageCapture("fake:video:0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lms.ImageCapture()  # type: ignore[call-arg]


def test_bad_argument_types_are_type_errors(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    bad: list[dict[str, object]] = [
        {"image_width": "x"},
        {"image_width": "320"},
        {"image_width": True},
        {"image_height": [240]},
        {"image_width": -1},
        {"fill_light_mode": 1},
        {"red_eye_reduction": "no"},
        {"red_eye_reduction": 0},
        {"image_type": "image/gif"},
        {"image_type": b"image/png"},
    ]
    for kwargs in bad:
        with pytest.raises(lms.TypeError):
            capture.take_photo(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        capture.take_photo(320)  # type: ignore[misc]
    with pytest.raises(TypeError):
        capture.take_photo(imageWidth=320)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        capture.grab_frame(timeout="soon")  # type: ignore[arg-type]
    with pytest.raises(lms.InvalidArgumentError):
        capture.grab_frame(timeout=-1)
    with pytest.raises(lms.InvalidArgumentError):
        capture.take_photo(timeout=float("nan"))


def test_impossible_photo_settings_are_overconstrained(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    cases: list[tuple[dict[str, object], str]] = [
        ({"image_width": 641}, "imageWidth"),
        ({"image_width": 0}, "imageWidth"),
        ({"image_width": 100, "image_height": 481}, "imageHeight"),
        ({"fill_light_mode": "flash"}, "fillLightMode"),
        ({"red_eye_reduction": True}, "redEyeReduction"),
    ]
    for kwargs, constraint in cases:
        with pytest.raises(lms.OverconstrainedError) as info:
            capture.take_photo(**kwargs)  # type: ignore[arg-type]
        assert info.value.constraint == constraint, kwargs
    # What is offered is accepted.
    photo = capture.take_photo(fill_light_mode="off", red_eye_reduction=False, image_type=None)
    assert jpeg_size(photo) == (640, 480)


def test_a_muted_camera_times_out(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)
    lms.fake_device_control("fake:video:0", "mute")
    try:
        assert camera.muted or camera.get_settings()
        start = time.monotonic()
        with pytest.raises(lms.TimeoutError):
            capture.take_photo(timeout=0.3)
        with pytest.raises(lms.TimeoutError):
            capture.grab_frame(timeout=0.3)
        assert time.monotonic() - start < 5
    finally:
        lms.fake_device_control("fake:video:0", "unmute")
    assert jpeg_size(capture.take_photo(timeout=10)) == (640, 480)


def test_photos_release_the_gil(camera: lms.MediaStreamTrack) -> None:
    """Another Python thread runs while a photo waits for its frame."""
    capture = lms.ImageCapture(camera)
    ticks = 0
    done = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        for _ in range(5):
            capture.take_photo()
    finally:
        done.set()
        thread.join()
    assert ticks > 0


def test_photos_from_asyncio_in_a_worker_thread(camera: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(camera)

    async def main() -> bytes:
        return await asyncio.to_thread(capture.take_photo, image_width=160)

    assert jpeg_size(asyncio.run(main())) == (160, 120)
