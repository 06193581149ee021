"""An installed localmediastream works: run by tests/python/package/run.sh in a
venv where the wheel (or the sdist) was installed, never from the source tree.

Usage: python smoke.py [--no-libasound | --microphone]
  (default)       fake camera and microphone deliver frames in order; the
                  default backends list devices and open (or fail) cleanly
  --no-libasound  also: libasound.so.2 cannot be loaded in this process, so
                  the microphone backend must say it is unavailable, and why
  --microphone    also: capture from ALSA's default PCM through the system's
                  libasound (run.sh points it at a PulseAudio server)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import localmediastream as lms

FRAMES = 20


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"smoke: FAILED: {message}", file=sys.stderr, flush=True)
        sys.exit(1)


def installed_not_source_tree() -> None:
    package = Path(lms.__file__).resolve().parent
    check("site-packages" in package.parts, f"imported from {package}, not an installed copy")
    for name in ("py.typed", "__init__.pyi", "_native.pyi"):
        check((package / name).is_file(), f"the installed package has no {name}")
    say(f"localmediastream {lms.__version__} from {package}")


def sequences_increase(track: lms.MediaStreamTrack, what: str) -> None:
    sequences = [track.read(timeout=10).sequence for _ in range(FRAMES)]
    check(
        all(b > a for a, b in zip(sequences, sequences[1:])),
        f"{what} sequence numbers do not increase: {sequences}",
    )
    say(f"{what}: {FRAMES} frames, sequence {sequences[0]}..{sequences[-1]}")


def fake_devices() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "none"})
    with lms.open(video=True, audio=True) as stream:
        video = stream.get_video_tracks()[0]
        audio = stream.get_audio_tracks()[0]
        sequences_increase(video, "fake camera")
        frame = video.read(timeout=10)
        check(frame.format == "I420" and frame.width > 0, f"odd video frame {frame.format}")
        check(lms.decode_sequence(frame) == frame.sequence, "the picture's code is not its sequence")
        sequences_increase(audio, "fake microphone")


def default_backends(libasound: bool) -> None:
    """The default configuration (cpal, nokhwa): listing works, and opening a
    microphone gives a track or a NotFoundError, never a crash."""
    os.environ.pop("LMS_BACKENDS", None)
    lms.configure(backends=["cpal", "nokhwa"])
    devices = lms.enumerate_devices()
    say(f"default backends list {len(devices)} device(s): {[d.device_id for d in devices]}")
    microphones = [d for d in devices if d.kind == "audioinput"]
    try:
        with lms.open(audio=True) as stream:
            say(f"microphone opened: {stream.get_audio_tracks()[0].label}")
            check(libasound, "a microphone opened without libasound")
    except lms.NotFoundError as e:
        say(f"no microphone: {e}")
        if not libasound:
            check(not microphones, "microphones listed without libasound")
            message = str(e)
            check(
                "backend cpal is unavailable" in message and "libasound.so.2" in message,
                f"NotFoundError does not say why the microphone backend is unavailable: {message}",
            )


def microphone() -> None:
    """A real capture through the system's libasound and its plugins."""
    lms.configure(backends=["cpal"])
    devices = lms.enumerate_devices()
    check(any(d.device_id == "cpal:default" for d in devices), f"no cpal:default in {devices}")
    with lms.open(audio={"deviceId": {"exact": "cpal:default"}}) as stream:
        sequences_increase(stream.get_audio_tracks()[0], "ALSA microphone (cpal:default)")


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    check(mode in ("", "--no-libasound", "--microphone"), f"unknown option {mode}")
    installed_not_source_tree()
    fake_devices()
    default_backends(libasound=mode != "--no-libasound")
    if mode == "--microphone":
        microphone()
    say("ok")


if __name__ == "__main__":
    main()
