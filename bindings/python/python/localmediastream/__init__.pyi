# Type stubs of localmediastream. The classes live in _native.pyi (the
# extension) and _errors.py; tests/python/typed_usage.py must pass
# `mypy --strict` and `python -m mypy.stubtest localmediastream` must be clean.
from typing import Any, Mapping, Optional, Sequence, Union

from typing_extensions import TypeAlias

from ._errors import AbortError as AbortError
from ._errors import EndedError as EndedError
from ._errors import Error as Error
from ._errors import InternalError as InternalError
from ._errors import InvalidArgumentError as InvalidArgumentError
from ._errors import InvalidHandleError as InvalidHandleError
from ._errors import InvalidStateError as InvalidStateError
from ._errors import NotAllowedError as NotAllowedError
from ._errors import NotFoundError as NotFoundError
from ._errors import NotReadableError as NotReadableError
from ._errors import OverconstrainedError as OverconstrainedError
from ._errors import TimeoutError as TimeoutError
from ._errors import TypeError as TypeError
from ._native import DeviceInfo as DeviceInfo
from ._native import DeviceUsage as DeviceUsage
from ._native import Event as Event
from ._native import Frame as Frame
from ._native import ImageCapture as ImageCapture
from ._native import MediaStream as MediaStream
from ._native import MediaStreamTrack as MediaStreamTrack
from ._native import TrackStats as TrackStats
from ._native import VideoTrackGenerator as VideoTrackGenerator
from ._native import __version__ as __version__
from ._native import add_device_change_listener as add_device_change_listener
from ._native import decode_sequence as decode_sequence
from ._native import enumerate_devices as enumerate_devices
from ._native import fake_device_control as fake_device_control
from ._native import fake_device_usage as fake_device_usage
from ._native import flush_events as flush_events
from ._native import get_supported_constraints as get_supported_constraints
from ._native import remove_device_change_listener as remove_device_change_listener
from ._native import render_audio as render_audio

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

Constraints: TypeAlias = Union[Mapping[str, Any], str]
TrackRequest: TypeAlias = Union[bool, Mapping[str, Any]]

def configure(
    *,
    backends: Optional[Sequence[str]] = None,
    fake: Optional[Mapping[str, Any]] = None,
    file: Optional[Mapping[str, Any]] = None,
    permissions: Optional[Mapping[str, str]] = None,
    queue_size: Optional[int] = None,
) -> None: ...
def open(
    constraints: Optional[Constraints] = None,
    /,
    *,
    video: Optional[TrackRequest] = None,
    audio: Optional[TrackRequest] = None,
) -> MediaStream: ...
def get_user_media(constraints: Constraints) -> MediaStream: ...
