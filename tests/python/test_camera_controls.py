"""Camera controls (W3C MediaStream Image Capture constrainable properties)
through the Python binding: the fake camera offers every control, applies
them visibly to its picture, shares them between tracks on one camera, and
refuses writes on request; a file camera has none."""

from __future__ import annotations

import math
import pathlib
from typing import Any, Iterator

import numpy as np
import pytest

import localmediastream as lms

NUMERIC = [
    "exposureCompensation",
    "exposureTime",
    "colorTemperature",
    "iso",
    "brightness",
    "contrast",
    "saturation",
    "sharpness",
    "focusDistance",
    "pan",
    "tilt",
    "zoom",
]
MODES = ["whiteBalanceMode", "exposureMode", "focusMode"]
CONTROLS = MODES + NUMERIC + ["torch"]


@pytest.fixture
def camera() -> Iterator[lms.MediaStreamTrack]:
    with lms.open(video={"deviceId": {"exact": "fake:video:0"}}) as stream:
        yield stream.get_video_tracks()[0]


def mean_luma(track: lms.MediaStreamTrack, frames: int = 8) -> float:
    """Mean luma of a frame captured after everything queued now: the oldest
    queued frames may predate the last change, so read past them."""
    frame = track.read(timeout=10)
    for _ in range(frames - 1):
        frame = track.read(timeout=10)
    assert frame.format == "I420"
    return float(np.asarray(frame.plane(0)).mean())


def test_the_fake_camera_offers_every_control_with_its_range(
    camera: lms.MediaStreamTrack,
) -> None:
    caps = camera.get_capabilities()
    for name in MODES:
        assert "manual" in caps[name] and "continuous" in caps[name], name
    for name in NUMERIC:
        cap = caps[name]
        assert set(cap) == {"min", "max", "step"}, name
        assert cap["min"] < cap["max"] and cap["step"] > 0, name
    assert caps["brightness"] == {"min": 0, "max": 255, "step": 1}
    assert sorted(caps["torch"]) == [False, True]


def test_settings_report_every_control_within_its_capability(
    camera: lms.MediaStreamTrack,
) -> None:
    settings = camera.get_settings()
    caps = camera.get_capabilities()
    for name in CONTROLS:
        assert name in settings, name
    for name in NUMERIC:
        assert caps[name]["min"] <= settings[name] <= caps[name]["max"], name
    for name in MODES:
        assert settings[name] in caps[name], name
    assert settings["brightness"] == 128
    assert settings["torch"] is False


def test_every_control_is_a_supported_constraint() -> None:
    supported = lms.get_supported_constraints()
    for name in CONTROLS:
        assert supported.get(name) is True, name


def test_the_device_list_shows_the_controls_too() -> None:
    device = next(d for d in lms.enumerate_devices() if d.device_id == "fake:video:0")
    caps = device.get_capabilities()
    assert caps["brightness"] == {"min": 0, "max": 255, "step": 1}


def test_brightness_is_applied_read_back_and_visible_in_the_picture(
    camera: lms.MediaStreamTrack,
) -> None:
    before = mean_luma(camera)
    camera.apply_constraints({"brightness": 200})
    assert camera.get_settings()["brightness"] == 200
    after = mean_luma(camera)
    assert after > before + 20, f"brighter picture: mean luma {before:.1f} -> {after:.1f}"
    camera.apply_constraints({"brightness": 40})
    assert camera.get_settings()["brightness"] == 40
    darker = mean_luma(camera)
    assert darker < before - 20, f"darker picture: mean luma {before:.1f} -> {darker:.1f}"


def test_controls_can_be_asked_for_when_opening() -> None:
    with lms.open(video={"brightness": {"exact": 90}, "zoom": 2}) as stream:
        settings = stream.get_video_tracks()[0].get_settings()
        assert settings["brightness"] == 90
        assert math.isclose(settings["zoom"], 2)


def test_an_exact_value_out_of_range_is_overconstrained_and_changes_nothing(
    camera: lms.MediaStreamTrack,
) -> None:
    camera.apply_constraints({"brightness": 60, "width": 320})
    before = camera.get_settings()
    constraints = camera.get_constraints()
    with pytest.raises(lms.OverconstrainedError) as info:
        camera.apply_constraints({"brightness": {"exact": 300}, "width": 640})
    assert info.value.constraint == "brightness"
    assert camera.get_settings() == before
    assert camera.get_constraints() == constraints
    with pytest.raises(lms.OverconstrainedError) as info:
        camera.apply_constraints({"zoom": {"min": 5}})
    assert info.value.constraint == "zoom"
    with pytest.raises(lms.OverconstrainedError) as info:
        camera.apply_constraints({"exposureMode": {"exact": "single-shot"}})
    assert info.value.constraint == "exposureMode"
    assert camera.get_settings() == before


def test_an_ideal_value_out_of_range_is_clamped_and_put_on_the_step_grid(
    camera: lms.MediaStreamTrack,
) -> None:
    camera.apply_constraints({"brightness": 300})
    assert camera.get_settings()["brightness"] == 255
    camera.apply_constraints({"brightness": -5})
    assert camera.get_settings()["brightness"] == 0
    camera.apply_constraints({"zoom": 10})
    assert math.isclose(camera.get_settings()["zoom"], 4)
    camera.apply_constraints({"zoom": 2.34})
    assert math.isclose(camera.get_settings()["zoom"], 2.3), "zoom steps by 0.1"
    camera.apply_constraints({"exposureCompensation": 1.3})
    assert camera.get_settings()["exposureCompensation"] == 1.5, "steps of 0.5"
    camera.apply_constraints({"iso": 5000})
    assert camera.get_settings()["iso"] == 3200


def test_a_manual_value_switches_its_mode_to_manual(camera: lms.MediaStreamTrack) -> None:
    assert camera.get_settings()["exposureMode"] == "continuous"
    camera.apply_constraints({"exposureTime": 100})
    settings = camera.get_settings()
    assert settings["exposureMode"] == "manual"
    assert settings["exposureTime"] == 100
    camera.apply_constraints({"focusDistance": 2.5})
    assert camera.get_settings()["focusMode"] == "manual"
    assert math.isclose(camera.get_settings()["focusDistance"], 2.5)


def test_modes_and_torch_take_their_values(camera: lms.MediaStreamTrack) -> None:
    camera.apply_constraints({"whiteBalanceMode": "manual", "torch": True})
    settings = camera.get_settings()
    assert settings["whiteBalanceMode"] == "manual"
    assert settings["torch"] is True


def test_a_clone_sees_a_change_made_through_the_original(camera: lms.MediaStreamTrack) -> None:
    clone = camera.clone()
    try:
        camera.apply_constraints({"brightness": 200, "pan": 30})
        settings = clone.get_settings()
        assert settings["brightness"] == 200
        assert settings["pan"] == 30
        clone.apply_constraints({"brightness": 70})
        assert camera.get_settings()["brightness"] == 70, "and the other way round"
    finally:
        clone.stop()


def test_a_second_open_of_the_camera_shares_its_controls(camera: lms.MediaStreamTrack) -> None:
    camera.apply_constraints({"contrast": 10})
    with lms.open(video={"deviceId": {"exact": "fake:video:0"}}) as other:
        assert other.get_video_tracks()[0].get_settings()["contrast"] == 10


def test_another_camera_keeps_its_own_controls(camera: lms.MediaStreamTrack) -> None:
    camera.apply_constraints({"saturation": 3})
    with lms.open(video={"deviceId": {"exact": "fake:video:1"}}) as other:
        assert other.get_video_tracks()[0].get_settings()["saturation"] == 128


def test_a_refused_control_write_is_not_readable_and_names_the_control(
    camera: lms.MediaStreamTrack,
) -> None:
    before = camera.get_settings()
    lms.fake_device_control("fake:video:0", "controls-refuse")
    try:
        with pytest.raises(lms.NotReadableError) as info:
            camera.apply_constraints({"zoom": 3})
        assert "zoom" in info.value.message
        assert camera.get_settings()["zoom"] == before["zoom"]
        # Constraints that touch no control still apply.
        camera.apply_constraints({"width": 320})
        assert camera.get_settings()["width"] == 320
    finally:
        lms.fake_device_control("fake:video:0", "controls-accept")
    camera.apply_constraints({"zoom": 3})
    assert math.isclose(camera.get_settings()["zoom"], 3)


def test_a_microphone_has_no_controls() -> None:
    with pytest.raises(lms.InvalidArgumentError):
        lms.fake_device_control("fake:audio:0", "controls-refuse")
    with lms.open(audio=True) as stream:
        track = stream.get_audio_tracks()[0]
        assert "zoom" not in track.get_capabilities()
        assert "brightness" not in track.get_settings()


def write_y4m(path: pathlib.Path, w: int = 16, h: int = 8) -> None:
    frame = bytes([100]) * (w * h) + bytes([128]) * (w * h // 2)
    path.write_bytes(
        f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode() + b"FRAME\n" + frame
    )


def test_a_file_camera_has_no_controls(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "still.y4m"
    write_y4m(path)
    lms.configure(file={"video": str(path), "pacing": "none"})
    with lms.open(video=True) as stream:
        track = stream.get_video_tracks()[0]
        caps: dict[str, Any] = track.get_capabilities()
        settings: dict[str, Any] = track.get_settings()
        for name in CONTROLS:
            assert name not in caps, name
            assert name not in settings, name
        with pytest.raises(lms.OverconstrainedError) as info:
            track.apply_constraints({"zoom": {"exact": 2}})
        assert info.value.constraint == "zoom"
        track.apply_constraints({"zoom": 2})  # an ideal it cannot meet is fine
        assert "zoom" not in track.get_settings()
    with pytest.raises(lms.OverconstrainedError) as info:
        lms.open(video={"zoom": {"exact": 2}})
    assert info.value.constraint == "zoom"
