"""localmediastream: ``getUserMedia()`` for Python.

Opens local cameras and microphones, hands back a :class:`MediaStream` of
:class:`MediaStreamTrack` objects, delivers their frames without copies, and
stops capture when asked, with the semantics of the W3C *Media Capture and
Streams* specification::

    import localmediastream as lms

    with lms.open(video={"width": {"ideal": 1280}}, audio=True) as stream:
        video = stream.get_video_tracks()[0]
        for frame in video:
            y, u, v = frame.to_numpy()        # zero-copy views of an I420 picture
            break
    # leaving the block stopped every track and released the devices

Camera controls (``brightness``, ``zoom``, ``exposureMode``, ...) are
constraints like ``width``; :class:`ImageCapture` takes photos (JPEG or PNG
bytes) and RGBA pictures from a video track.

Threads: blocking calls (``read``, iteration, ``open``, ``apply_constraints``,
``stop``, ``take_photo``, ``grab_frame``) release the GIL. Listeners run on
the library's event thread and frame callbacks on a per-track thread, each
holding the GIL while it runs; an exception there goes to
``sys.unraisablehook`` and capture goes on.
"""

from __future__ import annotations

import builtins as _builtins
import json as _json
from typing import Any, Mapping, Optional, Sequence, Union

from . import _native
from ._errors import (
    AbortError,
    EndedError,
    Error,
    InternalError,
    InvalidArgumentError,
    InvalidHandleError,
    InvalidStateError,
    NotAllowedError,
    NotFoundError,
    NotReadableError,
    OverconstrainedError,
    TimeoutError,
    TypeError,
)
from ._native import (
    DeviceInfo,
    DeviceUsage,
    Event,
    Frame,
    ImageCapture,
    MediaStream,
    MediaStreamTrack,
    TrackStats,
    VideoTrackGenerator,
    __version__,
    add_device_change_listener,
    decode_sequence,
    enumerate_devices,
    fake_device_control,
    fake_device_usage,
    flush_events,
    get_supported_constraints,
    remove_device_change_listener,
    render_audio,
)

__all__ = [
    "AbortError",
    "DeviceInfo",
    "DeviceUsage",
    "EndedError",
    "Error",
    "Event",
    "Frame",
    "ImageCapture",
    "InternalError",
    "InvalidArgumentError",
    "InvalidHandleError",
    "InvalidStateError",
    "MediaStream",
    "MediaStreamTrack",
    "NotAllowedError",
    "NotFoundError",
    "NotReadableError",
    "OverconstrainedError",
    "TrackStats",
    "VideoTrackGenerator",
    "__version__",
    "add_device_change_listener",
    "configure",
    "decode_sequence",
    "enumerate_devices",
    "fake_device_control",
    "fake_device_usage",
    "flush_events",
    "get_supported_constraints",
    "get_user_media",
    "open",
    "remove_device_change_listener",
    "render_audio",
]
# ``TypeError`` and ``TimeoutError`` are left out of ``__all__`` so that
# ``from localmediastream import *`` does not shadow the built-ins; use
# ``localmediastream.TypeError`` (a subclass of the built-in ``TypeError``).

Constraints = Union[Mapping[str, Any], str]
TrackRequest = Union[bool, Mapping[str, Any]]


def configure(
    *,
    backends: Optional[Sequence[str]] = None,
    fake: Optional[Mapping[str, Any]] = None,
    file: Optional[Mapping[str, Any]] = None,
    permissions: Optional[Mapping[str, str]] = None,
    queue_size: Optional[int] = None,
) -> None:
    """Replace the library's configuration (the core's JSON document).

    - ``backends``: kinds of devices in use, e.g. ``["fake"]`` (``fake``,
      ``file``, ``cpal``, ``nokhwa``).
    - ``fake``: fake devices, e.g. ``{"pacing": "none", "video": 2, "audio": 1,
      "toneHz": 440}`` (``pacing``: ``"realtime"`` or ``"none"``).
    - ``file``: file devices, e.g. ``{"video": "clip.y4m", "audio":
      "voice.wav", "loop": False, "pacing": "none"}`` (Y4M / MJPEG / WAV; a
      ``file`` without ``backends`` puts ``file`` first in the backends).
    - ``permissions``: ``{"camera": "denied", "microphone": "granted"}``.
    - ``queue_size``: frames a track holds before dropping the oldest.

    Arguments left out take the environment's values (``LMS_BACKENDS``,
    ``LMS_FAKE_DEVICES``), not those of an earlier call. Open tracks keep
    running. Raises :class:`TypeError` naming what is wrong.
    """
    document: dict[str, Any] = {}
    if backends is not None:
        # A lone string goes through as it is: the core says what it expected.
        document["backends"] = backends if isinstance(backends, str) else list(backends)
    if fake is not None:
        document["fake"] = fake
    if file is not None:
        document["file"] = file
    if permissions is not None:
        document["permissions"] = permissions
    if queue_size is not None:
        document["queueSize"] = queue_size
    try:
        text = _json.dumps(document, allow_nan=False)
    except (ValueError, _builtins.TypeError) as e:
        raise TypeError(f"configuration: {e}") from None
    _native.configure_json(text)


def open(
    constraints: Optional[Constraints] = None,
    /,
    *,
    video: Optional[TrackRequest] = None,
    audio: Optional[TrackRequest] = None,
) -> MediaStream:
    """``getUserMedia()``: open a stream with one video and/or one audio track.

    Either keywords, ``open(video={"width": {"ideal": 1280}}, audio=True)``,
    or one dict (or JSON text) of ``MediaStreamConstraints``,
    ``open({"video": True})``. Bare values mean ``ideal``; ``exact``, ``min``,
    ``max`` are required. The stream is a context manager that stops every
    track on exit.

    Raises :class:`TypeError` (nothing requested, malformed constraints),
    :class:`OverconstrainedError` (``.constraint`` names the impossible
    constraint), :class:`NotFoundError`, :class:`NotReadableError` or
    :class:`NotAllowedError`.
    """
    if constraints is not None:
        if video is not None or audio is not None:
            raise TypeError(
                "open() takes either a constraints dict or video=/audio= keywords, not both"
            )
        return _native.get_user_media(constraints)
    request: dict[str, Any] = {}
    if video is not None:
        request["video"] = video
    if audio is not None:
        request["audio"] = audio
    return _native.get_user_media(request)


def get_user_media(constraints: Constraints) -> MediaStream:
    """``getUserMedia(constraints)`` with a dict or JSON text, as in the
    specification (same as ``open(constraints)``)."""
    return _native.get_user_media(constraints)
