"""What localmediastream sees of tests/support/pulse-loopback's sound server,
as one JSON document on stdout: test_loopback.py runs this script under the
wrapper (a process of its own: the sound server's address must be in the
environment before the library first looks for audio devices, and the other
tests' fake devices stay out of it) and checks the document.

Reports the devices listed (class, kind, id, label), what asking an output
for its capabilities raises, the capture of the "music" sink's monitor (label,
settings, chunk sizes and sequence numbers, the peak, the frequency measured
with numpy two ways) and what opening the output itself raises.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import numpy as np

import localmediastream as lms

MONITOR = "cpal:music.monitor"
OUTPUT = "cpal:music"
RAW = {"echoCancellation": False, "noiseSuppression": False, "autoGainControl": False}
CHUNKS = 100  # 10 ms each by default: 1 s of the tone
TONE_HZ = 1000.0


def error_of(call: Any) -> dict[str, Any]:
    """What call() raised: class, base classes, message, constraint (if any)."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - reported, the test checks it
        return {
            "raised": True,
            "class": type(e).__name__,
            "module": type(e).__module__,
            "is_type_error": isinstance(e, TypeError),
            "is_overconstrained": isinstance(e, lms.OverconstrainedError),
            "name": getattr(e, "name", None),
            "constraint": getattr(e, "constraint", None),
            "message": str(e),
        }
    return {"raised": False}


def zero_crossing_hz(x: np.ndarray, rate: int) -> float:
    """Mean period between the first and last rising zero crossings, each
    placed between two samples by linear interpolation."""
    a, b = x[:-1].astype(np.float64), x[1:].astype(np.float64)
    rising = np.nonzero((a < 0) & (b >= 0))[0]
    if len(rising) < 2:
        return 0.0
    at = rising + a[rising] / (a[rising] - b[rising])
    return float((len(at) - 1) * rate / (at[-1] - at[0]))


def spectrum_peak_hz(x: np.ndarray, rate: int) -> float:
    """The strongest frequency of a Hann-windowed spectrum, refined by
    parabolic interpolation of the log magnitudes around the peak bin."""
    n = len(x)
    mag = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(n)))
    k = int(np.argmax(mag[1:-1])) + 1
    l, c, r = np.log(mag[k - 1 : k + 2] + 1e-30)
    shift = 0.5 * (l - r) / (l - 2 * c + r) if (l - 2 * c + r) != 0 else 0.0
    return float((k + shift) * rate / n)


def capture() -> dict[str, Any]:
    report: dict[str, Any] = {}
    stream = lms.get_user_media({"audio": {"deviceId": {"exact": MONITOR}, **RAW}})
    with stream:
        track = stream.get_audio_tracks()[0]
        report["label"] = track.label
        settings = track.get_settings()
        report["settings"] = settings
        runs: list[list[np.ndarray]] = [[]]
        sequences: list[int] = []
        sizes: list[int] = []
        rates: set[int] = set()
        chunk_hz: list[float] = []
        for _ in range(CHUNKS):
            frame = track.read(timeout=30)
            samples = frame.to_numpy()  # (sample_count, channels), float32 or int16
            report["dtype"] = str(samples.dtype)
            channel = samples[:, 0].astype(np.float64)
            if samples.dtype == np.int16:
                channel /= 32768.0
            if sequences and frame.sequence != sequences[-1] + 1:
                runs.append([])  # a skipped chunk: measure the runs apart
            runs[-1].append(channel)
            sequences.append(frame.sequence)
            sizes.append(frame.sample_count)
            rates.add(frame.sample_rate)
            # Each chunk's own frequency (10 ms: 10 periods of the tone).
            chunk_hz.append(zero_crossing_hz(channel, frame.sample_rate))
        report["sequences"] = sequences
        report["chunk_sizes"] = sorted(set(sizes))
        report["rates"] = sorted(rates)
        rate = report["rates"][0]
        report["chunk_hz"] = chunk_hz
        report["median_chunk_hz"] = float(np.median(chunk_hz))
        report["chunks_near_tone"] = int(np.sum(np.abs(np.array(chunk_hz) - TONE_HZ) < 1.0))
        longest = max(runs, key=len)
        report["longest_run_chunks"] = len(longest)
        x = np.concatenate(longest)
        report["samples"] = len(x)
        report["peak"] = float(np.max(np.abs(x)))
        # The longest unbroken run as a whole, two ways.
        report["zero_crossing_hz"] = zero_crossing_hz(x, rate)
        report["spectrum_hz"] = spectrum_peak_hz(x, rate)
        report["ready_state_before_stop"] = track.ready_state
    report["ready_state_after_stop"] = track.ready_state
    return report


def main() -> int:
    report: dict[str, Any] = {
        "env": {k: os.environ.get(k) for k in ("PULSE_SERVER", "LMS_AUDIO_HOST", "LMS_LOOPBACK_HZ")}
    }
    lms.configure(backends=["cpal"])
    devices = lms.enumerate_devices()
    report["devices"] = [
        {"class": type(d).__name__, **d.to_dict(), "kind_attr": d.kind} for d in devices
    ]
    report["same_list_again"] = lms.enumerate_devices() == devices
    by_id = {d.device_id: d for d in devices}
    if OUTPUT in by_id:
        report["output_capabilities"] = error_of(by_id[OUTPUT].get_capabilities)
    if MONITOR in by_id:
        caps = by_id[MONITOR].get_capabilities()
        report["monitor_capabilities"] = caps
    report["capture"] = capture()
    report["open_output"] = error_of(
        lambda: lms.get_user_media({"audio": {"deviceId": {"exact": OUTPUT}}})
    )
    json.dump(report, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
