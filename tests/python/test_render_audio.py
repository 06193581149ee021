"""render_audio(): the far end. A fake microphone that hears a speaker playing
what was rendered (an echo, 40 ms later, at half amplitude) shows that the
audio reached the library: the track without echo cancellation hears it, the
track with echo cancellation has it removed. Bad input is a TypeError naming
it, with nothing rendered.

Every device here is unpaced: one 10 ms chunk of far end is rendered before
each round of reads, so nothing depends on timing (as in
crates/core/tests/audio_processing.rs). render_audio() feeds every echo
canceller and echoing fake microphone of the process: each test stops its
tracks before it ends (the conftest fixture then configures fresh devices),
so nothing it renders reaches another test.
"""

from __future__ import annotations

import array
import math
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pytest

import localmediastream as lms

from conftest import fake

CHUNK = 480  # frames of one 10 ms chunk at 48 kHz, the fake microphone's rate
ECHO = {"signal": "silence", "echo": {"delayMs": 40, "gain": 0.5}}


@pytest.fixture
def echo_mic() -> Iterator[None]:
    """One unpaced fake microphone that hears silence plus the far end's echo."""
    fake(video=0, audio=[ECHO])
    yield


def chunk(track: lms.MediaStreamTrack) -> Any:
    """The next chunk's samples, a float32 copy of shape (frames, channels)."""
    frame = track.read(timeout=30)
    assert frame.kind == "audio" and frame.format == "f32"
    return np.array(frame.to_numpy(), dtype=np.float32)


def mean_square(chunks: Sequence[Any]) -> float:
    samples = np.concatenate([c.reshape(-1) for c in chunks]).astype(np.float64)
    return float(np.mean(samples**2))


def run(
    tracks: Sequence[lms.MediaStreamTrack],
    rounds: int,
    measured: int,
    before: Callable[[int], None],
) -> list[list[Any]]:
    """Read one chunk of each track per round (calling `before` first) and
    return the last `measured` chunks of each."""
    out: list[list[Any]] = [[] for _ in tracks]
    for i in range(rounds):
        before(i)
        for t, o in zip(tracks, out):
            c = chunk(t)
            if i >= rounds - measured:
                o.append(c)
    return out


def white_noise(seed: int) -> Iterator[Any]:
    """10 ms chunks of deterministic white noise in [-0.25, 0.25), float32."""
    rng = np.random.default_rng(seed)
    while True:
        yield ((rng.random(CHUNK) - 0.5) * 0.5).astype(np.float32)


def test_the_rendered_far_end_is_heard_and_then_cancelled(echo_mic: None) -> None:
    with lms.open(audio={"echoCancellation": False}) as stream:
        raw = stream.get_audio_tracks()[0]
        cancelled = raw.clone()
        try:
            cancelled.apply_constraints({"echoCancellation": {"exact": "remote-only"}})
            assert raw.get_settings()["echoCancellation"] is False
            assert cancelled.get_settings()["echoCancellation"] == "remote-only"

            # Nothing rendered yet: exact silence.
            quiet = run([raw, cancelled], 10, 10, lambda _: None)
            assert mean_square(quiet[0]) == 0.0

            # White noise, 1-D float32 at 48 kHz mono, before each round; the
            # last 2 s measured, after 4 s of settling.
            noise = white_noise(0x12345678)
            raw_tail, cancelled_tail = run(
                [raw, cancelled], 600, 200, lambda _: lms.render_audio(next(noise), 48_000)
            )
        finally:
            cancelled.stop()
    heard = mean_square(raw_tail)
    residual = mean_square(cancelled_tail)
    # White noise of +-0.25 at gain 0.5: a mean square of about 0.0052.
    assert heard > 1e-3, f"the raw track hears the echo at a mean square of only {heard}"
    erle = 10 * math.log10(heard / max(residual, 1e-12))
    print(f"echo cancellation: raw echo {10 * math.log10(heard):.1f} dBFS, residual {erle:.1f} dB below it")
    assert erle >= 15.0, f"the residual echo is only {erle:.1f} dB below the raw echo"


def test_stereo_44100_given_as_frames_by_channels_is_heard(echo_mic: None) -> None:
    rng = np.random.default_rng(7)
    with lms.open(audio=True) as stream:
        track = stream.get_audio_tracks()[0]

        def render(_: int) -> None:
            # 441 frames of 2 channels: 10 ms at 44.1 kHz, shape (frames, channels).
            stereo = ((rng.random((441, 2)) - 0.5) * 0.5).astype(np.float32)
            lms.render_audio(stereo, 44_100)

        (tail,) = run([track], 100, 50, render)
    # Two independent channels mixed to mono: about half the mean square of one.
    assert mean_square(tail) > 5e-4


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda a: array.array("f", a.tolist()), id="array.array('f')"),
        pytest.param(lambda a: memoryview(a.tobytes()).cast("f"), id="memoryview cast to 'f'"),
        pytest.param(lambda a: np.repeat(a, 2)[::2], id="strided numpy view"),
        pytest.param(lambda a: np.frombuffer(b"\0" + a.tobytes(), np.float32, offset=1), id="unaligned"),
        pytest.param(lambda a: np.asfortranarray(np.stack([a, a], axis=1)), id="2-D Fortran order"),
    ],
)
def test_any_float32_buffer_is_rendered_as_given(echo_mic: None, make: Callable[[Any], Any]) -> None:
    """The same loud chunk, given as each kind of buffer, is heard 40 ms later."""
    loud = np.where(np.arange(CHUNK) % 2 == 0, 0.5, -0.5).astype(np.float32)
    silence = np.zeros(CHUNK, np.float32)
    with lms.open(audio=True) as stream:
        track = stream.get_audio_tracks()[0]
        samples = make(loud)
        channels = 2 if getattr(samples, "ndim", 1) == 2 else None
        lms.render_audio(samples, 48_000, channels)
        (tail,) = run([track], 20, 20, lambda _: lms.render_audio(silence, 48_000))
    # 10 ms of +-0.5 at gain 0.5: 480 samples of 0.0625 (mixed stereo of two
    # equal channels is the same signal).
    total = sum(float(np.sum(c.astype(np.float64) ** 2)) for c in tail)
    assert total == pytest.approx(CHUNK * 0.0625, rel=0.05)


def test_bad_input_is_a_type_error_naming_it_and_renders_nothing(echo_mic: None) -> None:
    loud = np.full(CHUNK, 0.5, np.float32)

    def refused(match: str, *args: Any) -> None:
        with pytest.raises(lms.TypeError, match=match):
            lms.render_audio(*args)

    with lms.open(audio=True) as stream:
        track = stream.get_audio_tracks()[0]
        refused("sample rate 7999", loud, 7999)
        refused("sample rate 384001", loud, 384_001)
        refused("sample rate -1", loud, -1)
        refused("channel count 0", loud, 48_000, 0)
        refused("channel count 33", loud[: 33 * 14], 48_000, 33)
        refused("channel count 70000", loud, 48_000, 70_000)
        refused("481 samples", np.zeros(481, np.float32), 48_000, 2)
        refused("whole number", loud[:3], 48_000, 2)
        with_nan = loud.copy()
        with_nan[5] = np.nan
        refused(r"samples\[5\]", with_nan, 48_000)
        with_inf = loud.copy()
        with_inf[9] = np.inf
        refused(r"samples\[9\]", with_inf.reshape(-1, 2), 48_000)
        # Wrong types and dtypes, named.
        refused("dtype float64", loud.astype(np.float64), 48_000)
        refused("dtype int16", loud.astype(np.int16), 48_000)
        refused("format 'd'", array.array("d", [0.5] * 4), 48_000)
        refused("format 'B'", bytes(16), 48_000)
        refused("got list", [0.5] * 4, 48_000)
        refused("got NoneType", None, 48_000)
        refused(r"dtype >f4", loud.astype(">f4"), 48_000)
        refused(r"sample_rate must be an int, got float", loud, 48_000.0)
        refused(r"sample_rate must be an int, got str", loud, "48000")
        refused(r"sample_rate must be an int, got bool", loud, True)
        refused(r"channels must be an int, got float", loud, 48_000, 1.0)
        # Shapes: 2-D gives the channel count; a contradicting channels= is named.
        refused(r"channels=3 contradicts samples of shape \(240, 2\)", loud.reshape(240, 2), 48_000, 3)
        refused(r"shape \(2, 2, 120\)", loud.reshape(2, 2, 120), 48_000)
        refused(r"shape \(\)", np.float32(0.5), 48_000)
        # Nothing to render is fine.
        lms.render_audio(np.zeros(0, np.float32), 48_000)
        lms.render_audio(np.zeros((0, 2), np.float32), 48_000)
        lms.render_audio(loud.reshape(240, 2), 48_000, 2)  # agreeing channels=: fine, and loud
        # Silence after it in the same format (a new rate or channel count starts
        # a new converter: what the last one held, under 10 ms, is not played).
        silence = np.zeros((CHUNK, 2), np.float32)
        (tail,) = run([track], 20, 20, lambda _: lms.render_audio(silence, 48_000))
    # Only the one good call (240 frames of 0.5, mixed from two channels) was heard.
    total = sum(float(np.sum(c.astype(np.float64) ** 2)) for c in tail)
    assert total == pytest.approx(240 * 0.0625, rel=0.05)


def test_the_python_type_error_is_the_library_s() -> None:
    with pytest.raises(TypeError) as caught:
        lms.render_audio(np.zeros(4, np.float64), 48_000)
    assert isinstance(caught.value, lms.Error)
    assert "render_audio()" in str(caught.value)
