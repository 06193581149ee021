"""Our tracks sent through aiortc: ``pip install localmediastream[aiortc]``.

:func:`to_aiortc` wraps a :class:`localmediastream.MediaStreamTrack` in an
aiortc ``MediaStreamTrack`` that ``RTCPeerConnection.addTrack()`` takes::

    import localmediastream as lms
    from localmediastream.aiortc import to_aiortc

    stream = lms.open(video=True, audio=True)
    for track in stream.get_tracks():
        pc.addTrack(to_aiortc(track))

- Video: ``recv()`` gives ``av.VideoFrame`` in ``yuv420p`` (the track is asked
  for ``pixelFormat: "I420"`` if it delivers another format). An I420 picture
  of even size, which is what every track delivers, becomes a frame without a
  copy: the ``av.VideoFrame`` views the track's frame buffer (and keeps it
  alive), so treat it as read-only, as aiortc's encoders do. ``pts`` counts
  1/90000 s from the first frame's capture time.
- Audio: ``recv()`` gives ``av.AudioFrame`` in ``s16``, mono or stereo as the
  track, 20 ms each (960 samples at 48 kHz, what aiortc's Opus encoder takes),
  whatever the track's ``latency``. The track is asked for ``sampleFormat:
  "s16"`` and ``sampleRate: 48000`` (``f32`` is converted here if it stays
  ``f32``). ``pts`` counts samples (``time_base`` 1/sample rate), dropped
  chunks included.
- Reading never blocks the event loop: a frame that is not queued yet is
  awaited in the loop's default executor.
- Stopping: ``stop()`` on the aiortc track (or closing its peer connection)
  stops ours; ours ending (``stop()``, a device unplugged, a file over) ends
  theirs: ``recv()`` raises ``aiortc.MediaStreamError`` and ``readyState`` is
  ``"ended"``.

Importing ``localmediastream`` does not import this module nor aiortc.
"""

from __future__ import annotations

import asyncio
import fractions
from typing import Any, Optional

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError
from aiortc.mediastreams import MediaStreamTrack as _AiortcMediaStreamTrack
from numpy.lib.stride_tricks import as_strided

from . import _native
from ._errors import EndedError, InvalidStateError, OverconstrainedError, TimeoutError, TypeError

__all__ = ["AiortcAudioTrack", "AiortcTrack", "AiortcVideoTrack", "to_aiortc"]

#: aiortc's video clock: ``pts`` of video frames count 1/90000 s.
VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)
#: Audio frames last 20 ms (aiortc's packetisation time).
AUDIO_PTIME_MS = 20
#: What aiortc's Opus encoder runs at: asked of the track, not required.
AUDIO_SAMPLE_RATE = 48_000

#: How long one blocking read in the executor waits (seconds): bounds how long
#: a cancelled ``recv()`` keeps a worker busy.
_POLL_SECONDS = 0.1

#: Our pixel formats PyAV knows, for tracks that leave I420 after to_aiortc().
_AV_PIXEL_FORMATS = {
    "NV12": "nv12",
    "YUY2": "yuyv422",
    "RGB24": "rgb24",
    "BGR24": "bgr24",
    "RGBA": "rgba",
    "BGRA": "bgra",
}


def to_aiortc(track: _native.MediaStreamTrack) -> AiortcTrack:
    """An aiortc ``MediaStreamTrack`` that sends ``track``: an
    :class:`AiortcVideoTrack` for a video track, an :class:`AiortcAudioTrack`
    for an audio track (``kind`` is the track's).

    Raises ``localmediastream.TypeError`` for anything but a track, or a video
    track that cannot deliver I420; ``InvalidStateError`` for an ended track.
    """
    _check_source(track, None, "to_aiortc()")
    if track.kind == "video":
        return AiortcVideoTrack(track)
    return AiortcAudioTrack(track)


def _check_source(track: Any, kind: Optional[str], what: str) -> None:
    """TypeError for anything but a track (of ``kind``), InvalidStateError for an ended one."""
    if not isinstance(track, _native.MediaStreamTrack):
        raise TypeError(f"{what} takes a localmediastream.MediaStreamTrack, not {type(track).__name__}")
    if kind is not None and track.kind != kind:
        raise TypeError(f"{what} sends {kind} tracks, not the {track.kind} track {track.id}")
    if track.ready_state == "ended":
        raise InvalidStateError(f"{what}: the {track.kind} track {track.id} has ended")


class AiortcTrack(_AiortcMediaStreamTrack):
    """What :func:`to_aiortc` returns: an aiortc track reading ``source``."""

    def __init__(self, source: _native.MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._pending: Optional[asyncio.Future[_native.Frame]] = None
        #: Frames ``recv()`` returned.
        self.frames_sent = 0

    @property
    def source(self) -> _native.MediaStreamTrack:
        """Our track that this one sends."""
        return self._source

    @property
    def readyState(self) -> str:  # noqa: N802 - aiortc's name
        """``"ended"`` once this track was stopped or ours ended."""
        if self._source.ready_state == "ended":
            return "ended"
        return super().readyState

    def stop(self) -> None:
        """Stop this track and ours (``ended`` fires on this one, as aiortc's do)."""
        super().stop()
        self._source.stop()

    async def _read(self) -> _native.Frame:
        """Our track's next frame, without blocking the event loop.

        Raises ``MediaStreamError`` (after stopping this track) once ours has
        ended. A ``recv()`` cancelled while it waits loses no frame: the wait
        goes on in the executor and the next call takes its result.
        """
        if super().readyState == "ended":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        try:
            while True:
                pending = self._pending
                if pending is None or pending.get_loop() is not loop:
                    frame = self._source.try_read()
                    if frame is not None:
                        # A queued frame is taken at once; the loop still gets
                        # a turn, so a fast source never starves other tasks
                        # (a recv() cancelled then leaves the frame to the next).
                        taken: asyncio.Future[_native.Frame] = loop.create_future()
                        taken.set_result(frame)
                        self._pending = taken
                        await asyncio.sleep(0)
                        self._pending = None
                        return frame
                    pending = loop.run_in_executor(None, self._source.read, _POLL_SECONDS)
                    pending.add_done_callback(_retrieve)
                    self._pending = pending
                try:
                    frame = await asyncio.shield(pending)
                except TimeoutError:
                    self._pending = None
                    continue
                self._pending = None
                return frame
        except EndedError:
            self._pending = None
            self.stop()
            raise MediaStreamError from None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.kind} {self.readyState} of {self._source!r}>"


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Marks a read's exception as seen, for reads whose ``recv()`` went away."""
    if not future.cancelled():
        future.exception()


def _require_i420(track: Any) -> None:
    """Asks a video track for I420 unless it delivers it; ``TypeError`` if it cannot."""
    if track.get_settings().get("pixelFormat", "I420") == "I420":
        return
    constraints = {**track.get_constraints(), "pixelFormat": {"exact": "I420"}}
    try:
        track.apply_constraints(constraints)
    except OverconstrainedError as e:
        raise TypeError(f"to_aiortc(): the video track cannot deliver I420: {e}") from None


class AiortcVideoTrack(AiortcTrack):
    """Video: ``recv()`` gives ``av.VideoFrame`` in ``yuv420p``, ``pts`` in 1/90000 s."""

    kind = "video"

    def __init__(self, source: _native.MediaStreamTrack) -> None:
        _check_source(source, "video", "AiortcVideoTrack()")
        _require_i420(source)
        super().__init__(source)
        self._first_us: Optional[int] = None
        #: The sequence number of the last frame ``recv()`` returned.
        self.last_sequence: Optional[int] = None

    async def recv(self) -> av.VideoFrame:
        """The track's next picture as an ``av.VideoFrame`` (``yuv420p``)."""
        frame = await self._read()
        picture = video_frame(frame)
        if self._first_us is None:
            self._first_us = frame.timestamp_us
        picture.pts = (frame.timestamp_us - self._first_us) * 9 // 100
        picture.time_base = VIDEO_TIME_BASE
        self.last_sequence = frame.sequence
        self.frames_sent += 1
        return picture


def video_frame(frame: _native.Frame) -> av.VideoFrame:
    """An ``av.VideoFrame`` (``yuv420p``) of one of our video frames.

    An I420 frame whose planes lie one after the other, unpadded (every frame
    of even size our tracks deliver) is viewed without a copy, the frame kept
    alive by the ``av.VideoFrame``; other I420 frames cost one copy of each
    plane; other formats a copy and a conversion.
    """
    w, h, fmt = frame.width, frame.height, frame.format
    if fmt != "I420":
        return _converted(frame)
    y, u, v = (_bytes_of(p) for p in frame.planes)
    cw, ch = w // 2, h // 2
    if (
        w % 2 == 0
        and h % 2 == 0
        and frame.strides == [w, cw, cw]
        and y.size >= w * h
        and u.size >= cw * ch
        and v.size >= cw * ch
        and _address(u) == _address(y) + w * h
        and _address(v) == _address(u) + cw * ch
    ):
        # One view over the three planes: the rows of (h * 3/2, w) are Y's
        # rows, then U's and V's two rows to one, as PyAV's yuv420p wants.
        whole = as_strided(y, shape=(h * 3 // 2, w), strides=(w, 1), writeable=False)
        return av.VideoFrame.from_numpy_buffer(whole, format="yuv420p")
    picture = av.VideoFrame(w, h, "yuv420p")
    for plane, source, stride, rows, width in zip(
        picture.planes, (y, u, v), frame.strides, (h, (h + 1) // 2, (h + 1) // 2),
        (w, (w + 1) // 2, (w + 1) // 2),
    ):
        if plane.line_size == stride and plane.buffer_size == source.size:
            plane.update(_any(source))
        else:
            target = _bytes_of(plane).reshape(-1, plane.line_size)
            target[:rows, :width] = as_strided(
                source, shape=(rows, width), strides=(stride, 1), writeable=False
            )
    return picture


def _bytes_of(buffer: Any) -> Any:
    """A numpy array of bytes over ``buffer``, no copy."""
    return np.frombuffer(buffer, dtype=np.uint8)


def _any(value: Any) -> Any:
    return value


def _address(array: Any) -> int:
    return int(array.__array_interface__["data"][0])


def _converted(frame: _native.Frame) -> av.VideoFrame:
    """A frame of a format other than I420 (the track's constraints changed
    after to_aiortc()), converted by PyAV."""
    name = _AV_PIXEL_FORMATS.get(frame.format)
    if name is None:
        raise TypeError(f"to_aiortc(): cannot send {frame.format} frames (ask the track for I420)")
    picture = av.VideoFrame(frame.width, frame.height, name)
    for plane, source, stride in zip(picture.planes, frame.planes, frame.strides):
        rows = len(source) // stride
        target = _bytes_of(plane).reshape(-1, plane.line_size)
        width = min(stride, plane.line_size)
        target[:rows, :width] = _bytes_of(source).reshape(rows, stride)[:, :width]
    return picture.reformat(format="yuv420p")


class AiortcAudioTrack(AiortcTrack):
    """Audio: ``recv()`` gives 20 ms ``av.AudioFrame`` in ``s16``, mono or
    stereo, ``pts`` counting samples."""

    kind = "audio"

    def __init__(self, source: _native.MediaStreamTrack) -> None:
        _check_source(source, "audio", "AiortcAudioTrack()")
        settings = source.get_settings()
        wanted: dict[str, Any] = {}
        if settings.get("sampleFormat") != "s16":
            wanted["sampleFormat"] = "s16"
        if settings.get("sampleRate") != AUDIO_SAMPLE_RATE:
            wanted["sampleRate"] = AUDIO_SAMPLE_RATE
        if settings.get("channelCount", 1) > 2:
            wanted["channelCount"] = 2
        if wanted:
            try:
                source.apply_constraints({**source.get_constraints(), **wanted})
            except OverconstrainedError:
                pass  # the track stays as it is: converted here
        super().__init__(source)
        self._pending_samples = bytearray()  # s16, interleaved, at _rate x _channels
        self._rate = 0
        self._channels = 0
        self._next_pts = 0  # pts of the first sample in _pending_samples
        self._expected_sequence: Optional[int] = None

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms of the track's audio as an ``av.AudioFrame`` (``s16``)."""
        while not self._rate or len(self._pending_samples) < self._frame_bytes():
            self._add(await self._read())
        samples = self._rate * AUDIO_PTIME_MS // 1000
        size = self._frame_bytes()
        out = av.AudioFrame(format="s16", layout="mono" if self._channels == 1 else "stereo",
                            samples=samples)
        out.planes[0].update(bytes(self._pending_samples[:size]))
        del self._pending_samples[:size]
        out.sample_rate = self._rate
        out.time_base = fractions.Fraction(1, self._rate)
        out.pts = self._next_pts
        self._next_pts += samples
        self.frames_sent += 1
        return out

    def _frame_bytes(self) -> int:
        """Bytes of one frame's samples (s16) at the current rate and channels."""
        return self._rate * AUDIO_PTIME_MS // 1000 * self._channels * 2

    def _add(self, chunk: _native.Frame) -> None:
        """Appends one of our chunks to the samples waiting to go out."""
        rate, channels = chunk.sample_rate, chunk.channels
        if (rate, min(channels, 2)) != (self._rate, self._channels):
            # The first chunk, or the track's settings changed: start afresh,
            # the time so far kept in the new rate.
            if self._rate:
                waited = len(self._pending_samples) // (2 * self._channels)
                self._next_pts = (self._next_pts + waited) * rate // self._rate
            self._rate, self._channels = rate, min(channels, 2)
            self._pending_samples.clear()
        elif self._expected_sequence is not None and chunk.sequence > self._expected_sequence:
            # Chunks were dropped (a reader that fell behind): their time
            # passed, so the next frame starts later; the partial one before
            # the gap is let go with them.
            lost = (chunk.sequence - self._expected_sequence) * chunk.sample_count
            waited = len(self._pending_samples) // (2 * self._channels)
            self._next_pts += waited + lost
            self._pending_samples.clear()
        self._expected_sequence = chunk.sequence + 1
        if chunk.format == "s16" and channels <= 2:
            self._pending_samples += chunk.samples.cast("B")
            return
        samples: Any = np.frombuffer(chunk.samples, dtype=np.float32 if chunk.format == "f32" else np.int16)
        samples = samples.reshape(-1, channels)[:, : self._channels]
        if samples.dtype == np.float32:
            samples = np.clip(np.rint(samples * 32767.0), -32768, 32767).astype(np.int16)
        self._pending_samples += np.ascontiguousarray(samples, dtype=np.int16).tobytes()

