"""System-audio loopback, the acceptance test: a null sink ("music") plays a
1 kHz tone (pacat), and its monitor, captured through localmediastream,
measures 1 kHz.

tests/support/pulse-loopback starts a private PulseAudio with that sink and
tone around loopback_probe.py, which reports as JSON what the library sees
with only the cpal backend configured (native PulseAudio host). The probe is a
process of its own: the server's address must be in the environment before
the library first looks for audio devices (the connection is kept for the
process), and the fake devices the other tests configure stay out of it.
Missing pulseaudio / pulseaudio-utils fail the test (scripts/setup installs
them): it is never skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "tests" / "support" / "pulse-loopback"
PROBE = Path(__file__).resolve().parent / "loopback_probe.py"
MONITOR = "cpal:music.monitor"
OUTPUT = "cpal:music"
TONE_HZ = 1000.0


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    done = subprocess.run(
        [str(WRAPPER), sys.executable, str(PROBE)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, (
        f"{WRAPPER.name} {PROBE.name} exited with {done.returncode}\n"
        f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"no report\nstderr:\n{done.stderr}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def test_the_wrapper_points_the_library_at_its_server(report: dict[str, Any]) -> None:
    env = report["env"]
    assert env["PULSE_SERVER"].startswith("unix:") and env["PULSE_SERVER"].endswith("/native")
    assert env["LMS_AUDIO_HOST"] == "pulseaudio"


def test_the_monitor_is_an_input_and_the_sink_an_output(report: dict[str, Any]) -> None:
    devices = report["devices"]
    listed = [(d["kind"], d["deviceId"], d["label"]) for d in devices]
    assert ("audioinput", MONITOR, "Monitor of Music") in listed, listed
    assert ("audiooutput", OUTPUT, "Music") in listed, listed
    assert all(d["class"] == "DeviceInfo" and d["kind_attr"] == d["kind"] for d in devices), devices
    # Only the sound server's devices (cpal alone is configured): inputs, then outputs.
    kinds = [d["kind"] for d in devices]
    assert set(kinds) <= {"audioinput", "audiooutput"}, listed
    assert kinds == sorted(kinds, key=lambda k: k == "audiooutput"), listed
    assert report["same_list_again"]


def test_an_output_has_no_capabilities(report: dict[str, Any]) -> None:
    raised = report["output_capabilities"]
    assert raised["raised"] and raised["is_type_error"], raised
    assert OUTPUT in raised["message"], raised
    caps = report["monitor_capabilities"]
    assert caps["deviceId"] == MONITOR, caps


def test_the_monitor_hears_the_tone_at_1_khz(report: dict[str, Any]) -> None:
    capture = report["capture"]
    assert capture["label"] == "Monitor of Music"
    assert capture["settings"]["deviceId"] == MONITOR, capture["settings"]
    assert len(capture["rates"]) == 1, capture["rates"]
    assert capture["settings"]["sampleRate"] == capture["rates"][0], capture
    assert 0.4 < capture["peak"] < 0.6, f"pacat plays at half scale: peak {capture['peak']}"
    chunk_hz = capture["chunk_hz"]
    median, near = capture["median_chunk_hz"], capture["chunks_near_tone"]
    zc, fft = capture["zero_crossing_hz"], capture["spectrum_hz"]
    print(
        f"music.monitor: median chunk {median:.3f} Hz, {near} of {len(chunk_hz)} chunks within 1 Hz; "
        f"longest unbroken run ({capture['longest_run_chunks']} chunks) {zc:.3f} Hz by zero crossings, "
        f"{fft:.3f} Hz by spectrum"
    )
    # Each chunk measured alone: a glitch of a loaded machine spoils one chunk, not the test.
    assert abs(median - TONE_HZ) < 1.0, chunk_hz
    assert near >= 0.9 * len(chunk_hz), chunk_hz
    # Most of a second unbroken, measured as a whole by its spectrum.
    assert capture["longest_run_chunks"] >= 50, capture["sequences"]
    assert abs(fft - TONE_HZ) < 1.0, f"spectrum peak: {fft} Hz"
    assert capture["ready_state_before_stop"] == "live"
    assert capture["ready_state_after_stop"] == "ended"


def test_an_output_cannot_be_captured(report: dict[str, Any]) -> None:
    raised = report["open_output"]
    assert raised["raised"], raised
    assert raised["class"] == "OverconstrainedError" and raised["is_overconstrained"], raised
    assert raised["constraint"] == "deviceId", raised
