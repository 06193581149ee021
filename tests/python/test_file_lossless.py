"""A file microphone that does not loop delivers every sample exactly once
before its track ends (issue 21): no early end, the resampler's tail flushed,
the last chunk short rather than padded. The scenario of the report, opened
many times in one process (the first open used to lose a third of the file)."""

from __future__ import annotations

import pathlib
import wave

import numpy as np
import pytest

import localmediastream as lms


def write_wav(path: pathlib.Path, rate: int, channels: int, frames: int) -> np.ndarray:
    """A 16-bit WAV of a ramp that never repeats within the file; its samples, interleaved."""
    samples = ((np.arange(frames * channels, dtype=np.int64) * 7919) % 60001 - 30000).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return samples


def read_all(track: lms.MediaStreamTrack) -> list[lms.Frame]:
    chunks = []
    while True:
        try:
            chunks.append(track.read(timeout=5))
        except lms.EndedError:
            return chunks


def test_every_chunk_of_a_file_arrives_before_the_track_ends(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "b.wav"
    samples = write_wav(path, 44_100, 2, 44_177)  # 100 chunks of 10 ms and 77 frames
    for attempt in range(20):
        lms.configure(
            file={"audio": f"{path}%noloop", "loop": False, "pacing": "none"},
            queue_size=1024,
        )
        with lms.open(audio={"sampleRate": 44_100, "channelCount": 2, "sampleFormat": "s16"}) as s:
            track = s.get_audio_tracks()[0]
            chunks = read_all(track)
            assert [c.sequence for c in chunks] == list(range(101)), f"open {attempt}: every chunk, in order"
            assert [c.sample_count for c in chunks[-2:]] == [441, 77], "the last chunk is short, not padded"
            got = np.concatenate([np.asarray(c.samples) for c in chunks])
            assert np.array_equal(got, samples), f"open {attempt}: the file's very samples"
            assert track.stats.frames_dropped == 0
            assert track.ready_state == "ended"


@pytest.mark.parametrize("rate", [16_000, 8_000, 44_100])
def test_a_resampled_track_gets_the_whole_file_at_its_rate(tmp_path: pathlib.Path, rate: int) -> None:
    path = tmp_path / "48k.wav"
    write_wav(path, 48_000, 1, 48_000)  # one second
    lms.configure(file={"audio": f"{path}%noloop", "pacing": "none"}, queue_size=4)
    with lms.open(audio={"sampleRate": rate}) as s:
        track = s.get_audio_tracks()[0]
        counts = []
        while True:
            try:
                counts.append(track.read(timeout=5).sample_count)  # the frame is let go at once
            except lms.EndedError:
                break
    assert sum(counts) == rate, "one second of audio at the track's rate, the resampler's tail included"
    assert all(n == rate // 100 for n in counts[:-1])
    assert track.stats.frames_dropped == 0


def test_a_reader_that_keeps_every_frame_gets_the_drops_counted(tmp_path: pathlib.Path) -> None:
    """Frames are buffers of a bounded pool (the largest queue + 16): a reader that
    keeps more alive makes the source drop chunks - counted, never silent."""
    path = tmp_path / "48k.wav"
    write_wav(path, 48_000, 1, 48_000)
    lms.configure(file={"audio": f"{path}%noloop", "pacing": "none"}, queue_size=4)
    with lms.open(audio={"sampleRate": 16_000}) as s:
        track = s.get_audio_tracks()[0]
        kept = read_all(track)
    sequences = [c.sequence for c in kept]
    assert sequences == sorted(set(sequences)), "in order, once"
    assert len(kept) + track.stats.frames_dropped == 100, "delivered + dropped is the whole file"
