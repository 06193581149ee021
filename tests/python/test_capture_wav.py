"""`lms capture`'s audio.wav opens in the tools people use: Python's
standard `wave` module (the default, 16-bit PCM), `soundfile` (libsndfile)
and `sox --i` (both formats), with the rate, channels, length and 440 Hz
tone of the fake microphone.

The `lms` binary is $LMS_BIN, or target/debug/lms built here by cargo. The
fake microphone runs unpaced, so nothing depends on how busy the machine is:
`--duration 1s` at 48 kHz is exactly round(1 x 48000) = 48000 sample frames.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

try:
    import soundfile
except ImportError:  # scripts/test-python installs it; say so rather than skip
    soundfile = None

ROOT = Path(__file__).resolve().parents[2]
RATE = 48_000
FRAMES = 48_000  # --duration 1s
TONE_HZ = 440.0


@pytest.fixture(scope="session")
def lms_bin() -> Path:
    """$LMS_BIN, or the debug build of the `lms` command, built now so it is current."""
    given = os.environ.get("LMS_BIN")
    if given:
        return Path(given)
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail("cargo is needed to build the lms command (or set LMS_BIN)")
    subprocess.run([cargo, "build", "--quiet", "-p", "lms-cli"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "lms"


def capture(lms: Path, out: Path, channels: int = 1, *args: str) -> Path:
    """One second from the unpaced fake microphone into OUT/audio.wav."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    command = [
        str(lms), "capture", "--fake", "--audio",
        "--config", json.dumps({"fake": {"pacing": "none"}}),
        "--constraints", json.dumps({"audio": {"channelCount": {"exact": channels}}}),
        "--duration", "1s", "--out", str(out), *args,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command}: {done.stderr}"
    return out / "audio.wav"


def frequency(samples: npt.NDArray[np.float64], rate: int) -> float:
    """The frequency of a clean tone, from its rising zero crossings
    (located between samples by linear interpolation)."""
    a, b = samples[:-1], samples[1:]
    i = np.nonzero((a < 0) & (b >= 0))[0]
    crossings = i + a[i] / (a[i] - b[i])
    assert len(crossings) >= 2, "no tone"
    return float((len(crossings) - 1) * rate / (crossings[-1] - crossings[0]))


def format_tag(path: Path) -> int:
    """wFormatTag: bytes 20-21 of the file."""
    return int.from_bytes(path.read_bytes()[20:22], "little")


def require_soundfile() -> None:
    if soundfile is None:
        pytest.fail("soundfile is not installed: scripts/test-python installs it")


def require_sox() -> str:
    sox = shutil.which("sox")
    if sox is None:
        pytest.fail("sox is not installed: scripts/setup installs it")
    return sox


@pytest.mark.parametrize("channels", [1, 2])
def test_the_default_audio_wav_is_16_bit_pcm_that_the_wave_module_opens(
    lms_bin: Path, tmp_path: Path, channels: int
) -> None:
    path = capture(lms_bin, tmp_path, channels)
    assert format_tag(path) == 1, "WAVE_FORMAT_PCM"
    with wave.open(str(path), "rb") as w:
        assert w.getframerate() == RATE
        assert w.getnchannels() == channels
        assert w.getsampwidth() == 2
        assert w.getnframes() == FRAMES
        assert w.getcomptype() == "NONE"
        data = w.readframes(w.getnframes())
    samples = np.frombuffer(data, dtype="<i2").reshape(-1, channels) / 32767.0
    assert samples.shape == (FRAMES, channels)
    for c in range(channels):
        assert frequency(samples[:, c], RATE) == pytest.approx(TONE_HZ, abs=0.1)
        # The same tone by its spectrum: 1 Hz bins over exactly one second.
        assert int(np.argmax(np.abs(np.fft.rfft(samples[:, c])))) == 440
        assert 0.1 < float(np.max(np.abs(samples[:, c]))) <= 1.0


@pytest.mark.parametrize(
    ("sample_format", "tag", "subtype"),
    [("s16", 1, "PCM_16"), ("f32", 3, "FLOAT")],
)
def test_both_sample_formats_open_with_soundfile(
    lms_bin: Path, tmp_path: Path, sample_format: str, tag: int, subtype: str
) -> None:
    require_soundfile()
    assert soundfile is not None
    path = capture(lms_bin, tmp_path, 1, "--sample-format", sample_format)
    assert format_tag(path) == tag
    info = soundfile.info(str(path))
    assert (info.format, info.subtype) == ("WAV", subtype)
    assert (info.samplerate, info.channels, info.frames) == (RATE, 1, FRAMES)
    data, rate = soundfile.read(str(path), dtype="float64")
    assert (rate, data.shape) == (RATE, (FRAMES,))
    assert frequency(data, rate) == pytest.approx(TONE_HZ, abs=0.1)


@pytest.mark.parametrize(
    ("sample_format", "encoding", "bits"),
    [("s16", "Signed Integer PCM", "16"), ("f32", "Floating Point PCM", "32")],
)
def test_both_sample_formats_open_with_sox(
    lms_bin: Path, tmp_path: Path, sample_format: str, encoding: str, bits: str
) -> None:
    sox = require_sox()
    path = capture(lms_bin, tmp_path, 2, "--sample-format", sample_format)

    def info(flag: str) -> str:
        done = subprocess.run(
            [sox, "--i", flag, str(path)], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert info("-r") == str(RATE)
    assert info("-c") == "2"
    assert info("-s") == str(FRAMES), "samples per channel"
    assert float(info("-D")) == pytest.approx(1.0)
    assert info("-e") == encoding
    assert info("-b") == bits
