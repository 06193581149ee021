"""Our tracks sent through aiortc (issue 19): `localmediastream.aiortc.to_aiortc`.

Loopback calls in one process: two RTCPeerConnections, offer/answer, ICE on
host candidates only (no STUN server). The far side's decoded pictures still
carry the fake camera's sequence code (read back with `lms.decode_sequence`
after a round trip through a Y4M file camera: the code is read by the library
itself, from the very luma the VP8 decoder gave), the tone keeps its pitch, a
file camera's pictures arrive as the file has them, and stopping goes both
ways. scripts/test-python installs aiortc: nothing here is skipped.
"""

from __future__ import annotations

import asyncio
import collections
import fractions
import importlib.metadata
import pathlib
import re
import subprocess
import sys
import time
from typing import Any, Awaitable, Callable, Optional, TypeVar

import av
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import MediaStreamError
from aiortc.mediastreams import MediaStreamTrack as RemoteTrack

import localmediastream as lms
from localmediastream.aiortc import AiortcAudioTrack, AiortcVideoTrack, to_aiortc

T = TypeVar("T")

REALTIME = {"pacing": "realtime", "video": 1, "audio": 1, "toneHz": 440}
#: Generous: a busy 2-core machine encodes VP8 and runs ICE and DTLS in Python.
WAIT = 20.0


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 60))  # type: ignore[arg-type]


async def until(cond: Callable[[], bool], seconds: float = WAIT) -> bool:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


class Call:
    """A loopback call: `sender` sends the given aiortc tracks (VP8 for
    video), `receiver` gets them; `remote[kind]` is the receiving track."""

    def __init__(self) -> None:
        self.sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.remote: dict[str, RemoteTrack] = {}
        self.receiver.on("track", lambda track: self.remote.__setitem__(track.kind, track))

    async def connect(self, *tracks: RemoteTrack) -> None:
        for track in tracks:
            transceiver = self.sender.addTransceiver(track, direction="sendonly")
            if track.kind == "video":
                vp8 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == "video/VP8"]
                transceiver.setCodecPreferences(vp8)
        await self.sender.setLocalDescription(await self.sender.createOffer())
        await self.receiver.setRemoteDescription(self.sender.localDescription)
        await self.receiver.setLocalDescription(await self.receiver.createAnswer())
        await self.sender.setRemoteDescription(self.receiver.localDescription)
        assert await until(
            lambda: self.sender.connectionState == "connected" and len(self.remote) == len(tracks)
        ), f"the call connects ({self.sender.connectionState}, {self.receiver.connectionState})"

    async def close(self) -> None:
        await self.sender.close()
        await self.receiver.close()


class Receiver:
    """Reads a remote track in a task and keeps what it got."""

    def __init__(self, track: RemoteTrack, keep: Callable[[Any], Any]) -> None:
        self.frames: list[Any] = []
        self.ended = False
        self._track = track
        self._keep = keep
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while True:
                self.frames.append(self._keep(await self._track.recv()))
        except MediaStreamError:
            self.ended = True

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


def luma_of(frame: av.VideoFrame) -> tuple[int, np.ndarray]:
    """A received picture's pts and a copy of its luma."""
    assert frame.format.name == "yuv420p"
    plane = frame.planes[0]
    rows = np.frombuffer(plane, dtype=np.uint8).reshape(-1, plane.line_size)
    return int(frame.pts or 0), rows[: frame.height, : frame.width].copy()


def decode_sequences(lumas: list[np.ndarray], tmp_path: pathlib.Path) -> list[Optional[int]]:
    """`lms.decode_sequence` of each picture: written to a Y4M file (grey
    chroma) and played back by a file camera, unpaced, frame by frame."""
    if not lumas:
        return []
    h, w = lumas[0].shape
    path = tmp_path / "received.y4m"
    grey = bytes([128]) * (2 * ((w + 1) // 2) * ((h + 1) // 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        for y in lumas:
            f.write(b"FRAME\n" + y.tobytes() + grey)
    lms.configure(backends=["file"], file={"video": str(path), "loop": False, "pacing": "none"})
    decoded: list[Optional[int]] = []
    with lms.open(video=True) as stream:
        track = stream.get_video_tracks()[0]
        while True:
            try:
                decoded.append(lms.decode_sequence(track.read(timeout=10)))
            except lms.EndedError:
                break
    assert len(decoded) == len(lumas), "the file camera played every picture once"
    return decoded


def exact_decodes(received: list[tuple[int, np.ndarray]], decoded: list[Optional[int]],
                  sent_pts: dict[int, int]) -> list[int]:
    """The decoded sequence numbers that are exactly the frame's: the RTP
    timestamp of a received picture minus the pts our adapter gave that
    sequence number is one constant (the sender's random origin; the
    receiver's pts may be a tick off by rounding) for every exact decode. A
    wrong code that passed its checksum would be a frame interval (3000
    ticks) or more away from it."""

    def offset(pts: int, d: int) -> int:
        return (pts - sent_pts[d]) % (1 << 32)

    offsets = collections.Counter(
        offset(pts, d) for (pts, _), d in zip(received, decoded) if d in sent_pts
    )
    if not offsets:
        return []
    origin = offsets.most_common(1)[0][0]
    return [
        d for (pts, _), d in zip(received, decoded)
        if d is not None and d in sent_pts
        and min((offset(pts, d) - origin) % (1 << 32), (origin - offset(pts, d)) % (1 << 32)) <= 2
    ]


def record_sent(track: AiortcVideoTrack) -> dict[int, int]:
    """Sequence number -> pts of every picture the adapter's recv() returns."""
    sent: dict[int, int] = {}
    recv = track.recv

    async def recording_recv() -> av.VideoFrame:
        frame = await recv()
        assert track.last_sequence is not None
        sent[track.last_sequence & 0xFFFFFFFF] = int(frame.pts or 0)
        return frame

    track.recv = recording_recv  # type: ignore[method-assign]
    return sent


def frequency(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency, by FFT with a Hann window and a parabola through the peak."""
    x = samples.astype(np.float64)
    x -= x.mean()
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-12)
    shift = 0.5 * (a - c) / (a - 2 * b + c)
    return float((k + shift) * rate / len(x))


def audio_samples(frames: list[av.AudioFrame]) -> tuple[np.ndarray, int]:
    """The first channel of received audio frames, and their rate."""
    rate = frames[0].sample_rate
    chunks = []
    for frame in frames:
        assert frame.format.name == "s16" and frame.sample_rate == rate
        channels = len(frame.layout.channels)
        chunks.append(frame.to_ndarray().reshape(-1, channels)[:, 0])
    return np.concatenate(chunks), rate


def test_a_fake_camera_and_microphone_arrive_through_vp8_and_opus(tmp_path: pathlib.Path) -> None:
    lms.configure(backends=["fake"], fake=REALTIME)
    stream = lms.open(video={"width": 640, "height": 480, "frameRate": 30}, audio=True)
    video = to_aiortc(stream.get_video_tracks()[0])
    audio = to_aiortc(stream.get_audio_tracks()[0])
    assert isinstance(video, AiortcVideoTrack) and isinstance(audio, AiortcAudioTrack)
    assert (video.kind, audio.kind) == ("video", "audio")
    sent_pts = record_sent(video)

    async def main() -> tuple[list[tuple[int, np.ndarray]], list[av.AudioFrame], int, int, int, int]:
        call = Call()
        await call.connect(video, audio)
        pictures = Receiver(call.remote["video"], luma_of)
        sound = Receiver(call.remote["audio"], lambda f: f)
        assert await until(lambda: len(pictures.frames) >= 15 and len(sound.frames) >= 25), "media flows"
        # The 3 s window: what the adapter sent in it, by sequence number.
        first, sent_before = video.last_sequence, video.frames_sent
        await asyncio.sleep(3.0)
        last, sent_after = video.last_sequence, video.frames_sent
        # The window's last pictures are still on their way: give them time.
        await asyncio.sleep(1.0)
        await pictures.stop()
        await sound.stop()
        assert call.sender.connectionState == "connected"
        await call.close()
        assert first is not None and last is not None
        return pictures.frames, sound.frames, first, last, sent_before, sent_after

    received, sounds, first, last, sent_before, sent_after = run(main())
    assert stream.get_video_tracks()[0].ready_state == "ended", "closing the call stopped our track"
    stream.stop()

    assert {luma.shape for _, luma in received} == {(480, 640)}
    decoded = decode_sequences([luma for _, luma in received], tmp_path)
    exact = exact_decodes(received, decoded, sent_pts)
    survival = len(exact) / len(received)
    valid = [d for d in decoded if d is not None]
    print(
        f"\nsequence codes: {len(exact)} of {len(received)} received pictures decode exactly "
        f"({survival:.1%}); {len(valid) - len(exact)} decode to another number; "
        f"{len(received) - len(valid)} do not decode"
    )
    assert all(b > a for a, b in zip(valid, valid[1:])), f"decoded sequence numbers increase: {valid}"
    sent = sent_after - sent_before
    arrived = len({d for d in exact if (first & 0xFFFFFFFF) < d <= (last & 0xFFFFFFFF)})
    print(f"3 s window: {arrived} of {sent} pictures sent arrived with their sequence code ({arrived / sent:.1%})")
    assert sent >= 45, f"a 30 fps camera sent only {sent} pictures in 3 s"
    assert arrived >= 0.9 * sent, f"{arrived} of {sent} pictures arrived with a readable code"

    samples, rate = audio_samples(sounds[25:])  # past the decoder's start
    assert len(samples) >= rate, "at least a second of audio arrived"
    hz = frequency(samples, rate)
    print(f"received tone: {hz:.2f} Hz over {len(samples) / rate:.2f} s")
    assert abs(hz - 440) <= 2, f"the tone arrived at {hz:.2f} Hz"


def write_y4m(path: pathlib.Path, w: int, h: int, count: int) -> list[np.ndarray]:
    """A Y4M file of `count` pictures, each its own (a gradient moving and a
    bright block where the picture's index puts it); their lumas."""
    yy, xx = np.mgrid[0:h, 0:w]
    lumas = []
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(count):
            y = (40 + (xx + 6 * i) % w * 120 // w + yy * 60 // h).astype(np.uint8)
            bx, by = (i % 6) * (w // 6), (i // 6 % 4) * (h // 4)
            y[by : by + h // 4, bx : bx + w // 6] = 230
            u = np.full(((h + 1) // 2, (w + 1) // 2), 100 + i, dtype=np.uint8)
            v = np.full_like(u, 150)
            f.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())
            lumas.append(y)
    return lumas


def test_a_file_camera_arrives_as_the_file_has_it(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "clip.y4m"
    originals = write_y4m(path, 320, 240, 24)
    lms.configure(backends=["file"], file={"video": str(path), "pacing": "realtime"})
    stream = lms.open(video=True)
    track = stream.get_video_tracks()[0]
    assert (track.get_settings()["width"], track.get_settings()["height"]) == (320, 240)
    video = to_aiortc(track)

    async def main() -> list[tuple[int, np.ndarray]]:
        call = Call()
        await call.connect(video)
        pictures = Receiver(call.remote["video"], luma_of)
        assert await until(lambda: len(pictures.frames) >= 60), "pictures flow"
        await pictures.stop()
        await call.close()
        return pictures.frames

    received = run(main())
    stream.stop()
    stack = np.stack(originals).astype(np.int16)
    differences = []
    for _, luma in received[10:]:  # past the first pictures, while the rate control settles
        assert luma.shape == (240, 320)
        mad = np.abs(stack - luma.astype(np.int16)).mean(axis=(1, 2))
        differences.append(float(mad.min()))
    print(f"\nfile camera: mean absolute luma difference to the nearest file picture: "
          f"median {np.median(differences):.2f}, max {max(differences):.2f}")
    assert np.median(differences) < 3, differences
    assert max(differences) < 8, differences


def test_stopping_the_aiortc_track_stops_ours_and_releases_the_device() -> None:
    stream = lms.open(video={"width": 160, "height": 120}, audio=True)
    tracks = stream.get_tracks()
    adapters = [to_aiortc(t) for t in tracks]
    ended: list[str] = []
    for a in adapters:
        a.on("ended", lambda a=a: ended.append(a.kind))

    async def main() -> None:
        for a in adapters:
            await a.recv()
            a.stop()
            assert a.readyState == "ended"
            with pytest.raises(MediaStreamError):
                await asyncio.wait_for(a.recv(), 5)

    run(main())
    assert [t.ready_state for t in tracks] == ["ended", "ended"]
    assert sorted(ended) == ["audio", "video"], "aiortc's `ended` fired once each"
    assert not lms.fake_device_usage("fake:video:0").is_open
    assert not lms.fake_device_usage("fake:audio:0").is_open


def test_stopping_our_track_ends_theirs_also_during_a_waiting_recv() -> None:
    lms.configure(backends=["fake"], fake={**REALTIME, "video": 1})
    stream = lms.open(video={"width": 160, "height": 120, "frameRate": 1}, audio=True)
    video_track, audio_track = stream.get_video_tracks()[0], stream.get_audio_tracks()[0]
    video, audio = to_aiortc(video_track), to_aiortc(audio_track)

    async def main() -> None:
        await video.recv()
        waiting = asyncio.ensure_future(video.recv())  # the next picture is a second away
        await asyncio.sleep(0.2)
        assert not waiting.done()
        video_track.stop()
        with pytest.raises(MediaStreamError):
            await asyncio.wait_for(waiting, 5)
        assert video.readyState == "ended"
        await audio.recv()
        audio_track.stop()
        assert audio.readyState == "ended", "theirs shows ours ended before any recv()"
        with pytest.raises(MediaStreamError):
            await asyncio.wait_for(audio.recv(), 5)

    run(main())


def test_recv_gives_the_loop_a_turn_even_from_an_unpaced_camera() -> None:
    with lms.open(video={"width": 160, "height": 120}) as stream:
        video = to_aiortc(stream.get_video_tracks()[0])

        async def main() -> tuple[int, list[int]]:
            ticks = 0
            done = False

            async def ticker() -> None:
                nonlocal ticks
                while not done:
                    ticks += 1
                    await asyncio.sleep(0)

            task = asyncio.ensure_future(ticker())
            sequences = []
            for _ in range(300):
                await video.recv()
                assert video.last_sequence is not None
                sequences.append(video.last_sequence)
            done = True
            await task
            return ticks, sequences

        ticks, sequences = run(main())
    assert sequences == list(range(sequences[0], sequences[0] + 300)), "an unpaced camera, nothing lost"
    assert ticks >= 250, f"the other task ran only {ticks} times during 300 recv()"


def test_a_cancelled_recv_loses_no_frame() -> None:
    lms.configure(backends=["fake"], fake={**REALTIME, "audio": 0})
    with lms.open(video={"width": 160, "height": 120, "frameRate": 10}) as stream:
        video = to_aiortc(stream.get_video_tracks()[0])

        async def main() -> list[int]:
            sequences = []
            while True:  # until nothing is queued: recv() had to wait
                start = time.monotonic()
                await video.recv()
                if time.monotonic() - start > 0.03:
                    break
            for _ in range(6):
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(video.recv(), 0.001)  # cancelled while it waits
                await asyncio.wait_for(video.recv(), WAIT)  # takes the frame that wait got
                assert video.last_sequence is not None
                sequences.append(video.last_sequence)
            return sequences

        sequences = run(main())
    assert sequences == list(range(sequences[0], sequences[0] + 6)), sequences
    assert stream.get_video_tracks()[0].stats.frames_dropped == 0


def test_closing_the_call_stops_our_tracks() -> None:
    lms.configure(backends=["fake"], fake=REALTIME)
    stream = lms.open(video={"width": 320, "height": 240}, audio=True)

    async def main() -> None:
        call = Call()
        await call.connect(*[to_aiortc(t) for t in stream.get_tracks()])
        assert await until(lambda: all(t.stats.frames_delivered > 5 for t in stream.get_tracks()))
        await call.close()

    run(main())
    assert [t.ready_state for t in stream.get_tracks()] == ["ended", "ended"]
    assert not lms.fake_device_usage("fake:video:0").is_open


def test_a_disconnected_camera_ends_the_sending_track_while_the_call_goes_on() -> None:
    lms.configure(backends=["fake"], fake=REALTIME)
    stream = lms.open(video={"width": 320, "height": 240}, audio=True)
    video, audio = to_aiortc(stream.get_video_tracks()[0]), to_aiortc(stream.get_audio_tracks()[0])
    ended: list[str] = []
    video.on("ended", lambda: ended.append("video"))

    async def main() -> None:
        call = Call()
        await call.connect(video, audio)
        sound = Receiver(call.remote["audio"], lambda f: f)
        pictures = Receiver(call.remote["video"], lambda f: f)
        assert await until(lambda: len(pictures.frames) >= 5 and len(sound.frames) >= 10)
        lms.fake_device_control("fake:video:0", "disconnect")
        assert await until(lambda: video.readyState == "ended"), "the sending track ended"
        assert await until(lambda: ended == ["video"]), "aiortc's `ended` fired"
        heard = len(sound.frames)
        assert await until(lambda: len(sound.frames) >= heard + 25), "the microphone is still heard"
        assert call.sender.connectionState == "connected"
        assert call.receiver.connectionState == "connected"
        assert audio.readyState == "live"
        await sound.stop()
        await pictures.stop()
        await call.close()

    run(main())
    assert stream.get_video_tracks()[0].ready_state == "ended"


def test_bad_input() -> None:
    with lms.open(video=True) as stream:
        for value in (None, "fake:video:0", object(), stream):
            with pytest.raises(TypeError, match="MediaStreamTrack"):
                to_aiortc(value)  # type: ignore[arg-type]
    with pytest.raises(lms.TypeError):
        to_aiortc(42)  # type: ignore[arg-type]
    stream = lms.open(video=True, audio=True)
    # A video track handed to the audio adapter, and the reverse.
    with pytest.raises(lms.TypeError, match="sends audio tracks, not the video track"):
        AiortcAudioTrack(stream.get_video_tracks()[0])
    with pytest.raises(lms.TypeError, match="sends video tracks, not the audio track"):
        AiortcVideoTrack(stream.get_audio_tracks()[0])
    stream.stop()
    for track in stream.get_tracks():
        with pytest.raises(lms.InvalidStateError):
            to_aiortc(track)
        with pytest.raises(lms.InvalidStateError):
            (AiortcVideoTrack if track.kind == "video" else AiortcAudioTrack)(track)


def test_a_track_of_another_pixel_format_is_asked_for_i420() -> None:
    with lms.open(video={"width": 160, "height": 120, "pixelFormat": {"exact": "NV12"}}) as stream:
        track = stream.get_video_tracks()[0]
        video = to_aiortc(track)
        settings = track.get_settings()
        assert (settings["pixelFormat"], settings["width"], settings["height"]) == ("I420", 160, 120), (
            "the other constraints are kept"
        )

        async def main() -> av.VideoFrame:
            return await video.recv()

        frame = run(main())
        assert (frame.format.name, frame.width, frame.height) == ("yuv420p", 160, 120)
        assert frame.time_base == fractions.Fraction(1, 90_000)


@pytest.mark.parametrize("pixel_format", ["NV12", "YUY2", "RGB24", "BGR24", "RGBA", "BGRA"])
def test_frames_of_another_format_are_converted(pixel_format: str) -> None:
    """A frame that is not I420 (the track's constraints changed after
    to_aiortc()) still goes out as yuv420p, with the same picture."""
    from localmediastream.aiortc import video_frame

    with lms.open(video={"width": 160, "height": 120, "pixelFormat": {"exact": pixel_format}}) as stream:
        track = stream.get_video_tracks()[0]
        i420 = track.clone()
        i420.apply_constraints({"pixelFormat": {"exact": "I420"}})
        frame = track.read(timeout=5)
        reference = i420.read(timeout=5)
        # The same picture in both formats (the clone's first frames may be
        # of the format it had before its constraints changed).
        while reference.sequence != frame.sequence or reference.format != "I420":
            if reference.sequence <= frame.sequence:
                reference = i420.read(timeout=5)
            else:
                frame = track.read(timeout=5)
        assert (frame.format, reference.sequence) == (pixel_format, frame.sequence)
        picture = video_frame(frame)
        i420.stop()
    assert (picture.format.name, picture.width, picture.height) == ("yuv420p", 160, 120)
    _, luma = luma_of(picture)
    expected = reference.to_numpy()[0].astype(np.int16)
    assert np.abs(luma.astype(np.int16) - expected).mean() < 3


def test_a_track_that_cannot_deliver_i420_is_a_type_error() -> None:
    # Every track of this version can deliver I420 (the core converts and
    # decodes MJPEG), so the refusal is played by a stand-in for the track.
    from localmediastream.aiortc import _require_i420

    class Refusing:
        def get_settings(self) -> dict[str, Any]:
            return {"pixelFormat": "MJPEG"}

        def get_constraints(self) -> dict[str, Any]:
            return {}

        def apply_constraints(self, constraints: Any) -> None:
            raise lms.OverconstrainedError("pixelFormat: cannot")

    with pytest.raises(lms.TypeError, match="I420"):
        _require_i420(Refusing())


def test_pictures_view_our_frames_without_a_copy() -> None:
    with lms.open(video={"width": 320, "height": 240}) as stream:
        video = to_aiortc(stream.get_video_tracks()[0])

        async def main() -> list[av.VideoFrame]:
            return [await video.recv() for _ in range(3)]

        frames = run(main())
        assert [f.pts for f in frames] == sorted(f.pts for f in frames)
        for frame in frames:
            assert frame.format.name == "yuv420p" and (frame.width, frame.height) == (320, 240)
            assert [p.line_size for p in frame.planes] == [320, 160, 160]
        # The pictures stay whole while the track goes on and after it stopped.
        y = [np.frombuffer(f.planes[0], dtype=np.uint8).copy() for f in frames]
    assert all((np.frombuffer(f.planes[0], dtype=np.uint8) == c).all() for f, c in zip(frames, y))


def test_audio_is_20_ms_s16_frames_whatever_the_track_latency() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 0, "audio": 1, "toneHz": 440})
    with lms.open(audio={"latency": 0.013, "channelCount": 2}) as stream:
        track = stream.get_audio_tracks()[0]
        audio = to_aiortc(track)
        settings = track.get_settings()
        assert (settings["sampleFormat"], settings["sampleRate"], settings["channelCount"]) == ("s16", 48000, 2)

        async def main() -> list[av.AudioFrame]:
            return [await audio.recv() for _ in range(60)]

        frames = run(main())
    assert {(f.samples, f.sample_rate, f.format.name, f.layout.name) for f in frames} == {
        (960, 48000, "s16", "stereo")
    }
    assert all(f.time_base == fractions.Fraction(1, 48000) for f in frames)
    pts = [f.pts for f in frames]
    assert pts[0] == 0 and all(b - a >= 960 and (b - a) % 960 == 0 for a, b in zip(pts, pts[1:])), pts
    if pts[-1] == 960 * 59:  # no chunk dropped: the re-chunked signal is one tone
        samples, rate = audio_samples(frames)
        assert abs(frequency(samples, rate) - 440) <= 2


def test_f32_chunks_become_s16() -> None:
    with lms.open(audio=True) as stream:
        audio = to_aiortc(stream.get_audio_tracks()[0])
    # The track now delivers s16; a chunk in f32 (a device that cannot) goes
    # through the conversion: a stand-in chunk of 20 ms, stereo.
    samples = np.stack([np.linspace(-1.2, 1.2, 960), np.zeros(960)], axis=1).astype(np.float32)

    data = memoryview(samples.tobytes()).cast("f")

    class Chunk:
        kind, format, sample_rate, channels, sample_count, sequence = "audio", "f32", 48000, 2, 960, 0
        samples = data

    audio._add(Chunk())  # type: ignore[arg-type]
    got = np.frombuffer(bytes(audio._pending_samples), dtype=np.int16).reshape(-1, 2)
    assert got.shape == (960, 2)
    assert got[0, 0] == -32768 and got[-1, 0] == 32767, "clipped, not wrapped"
    expected = np.clip(np.rint(samples[:, 0].astype(np.float64) * 32767), -32768, 32767)
    assert (got[:, 0] == expected).all() and (got[:, 1] == 0).all()


def test_the_extra_and_the_import() -> None:
    """aiortc is an extra, and `import localmediastream` does not import it."""
    requires = importlib.metadata.requires("localmediastream") or []
    aiortc = [r for r in requires if r.startswith("aiortc")]
    assert aiortc and all(re.search(r"extra == [\"']aiortc[\"']", r) for r in aiortc), requires
    code = "import sys, localmediastream; print('aiortc' in sys.modules, 'av' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
