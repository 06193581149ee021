"""``Frame.to_numpy()``: numpy arrays over a frame's planes, without copies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Union

if TYPE_CHECKING:
    from ._native import Frame

_CHANNELS = {"RGB24": 3, "BGR24": 3, "RGBA": 4, "BGRA": 4}


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as e:  # pragma: no cover - numpy is installed in the tests
        raise ImportError(
            "Frame.to_numpy() needs numpy: pip install numpy "
            "(frame.planes works without it)"
        ) from e
    return numpy


def frame_to_numpy(frame: Frame) -> Union[Any, List[Any]]:
    """See ``Frame.to_numpy``. Every array views the frame's memory (its
    ``base`` is a read-only memoryview that keeps the frame alive)."""
    np = _numpy()
    if frame.kind == "audio":
        dtype = np.float32 if frame.format == "f32" else np.int16
        return np.ndarray(
            (frame.sample_count, frame.channels), dtype=dtype, buffer=frame.planes[0]
        )
    w, h, fmt = frame.width, frame.height, frame.format
    planes = frame.planes
    strides = frame.strides
    cw, ch = (w + 1) // 2, (h + 1) // 2

    def view(i: int, shape: tuple[int, ...], item_strides: tuple[int, ...]) -> Any:
        return np.ndarray(
            shape, dtype=np.uint8, buffer=planes[i], strides=(strides[i],) + item_strides
        )

    if fmt == "I420":
        return [view(0, (h, w), (1,)), view(1, (ch, cw), (1,)), view(2, (ch, cw), (1,))]
    if fmt == "NV12":
        return [view(0, (h, w), (1,)), view(1, (ch, cw, 2), (2, 1))]
    if fmt == "YUY2":
        return view(0, (h, w, 2), (2, 1))
    if fmt in _CHANNELS:
        c = _CHANNELS[fmt]
        return view(0, (h, w, c), (c, 1))
    # MJPEG (or a format this version does not know): the bytes as they are.
    return np.frombuffer(planes[0], dtype=np.uint8)
