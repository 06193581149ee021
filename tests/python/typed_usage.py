"""A typed program using every public name: `mypy --strict` must accept it
(scripts/test-python runs it), which checks that the stubs are complete and
usable. It also runs (tests/python/test_typing.py)."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import localmediastream as lms


def on_event(event: lms.Event) -> None:
    target: Optional[lms.MediaStreamTrack] = event.target
    print(event.type, event.detail, target)


def on_frame(frame: lms.Frame) -> None:
    print(frame.sequence)


def use_frame(frame: lms.Frame) -> int:
    planes: list[memoryview] = frame.planes
    first: memoryview = frame.plane(0)
    total = sum(len(p) for p in planes) + len(first)
    total += frame.width + frame.height + frame.sample_rate + frame.channels + frame.sample_count
    total += frame.timestamp_us + frame.sequence + sum(frame.strides)
    kind: str = frame.kind + frame.format
    if frame.kind == "audio":
        samples: memoryview = frame.samples
        total += len(samples)
    arrays: Any = frame.to_numpy()
    seq: Optional[int] = lms.decode_sequence(frame)
    return total + len(kind) + (seq or 0) + (0 if arrays is None else 1)


def use_track(track: lms.MediaStreamTrack) -> None:
    print(track.id, track.kind, track.label, track.muted, track.ready_state)
    track.enabled = not track.enabled
    stats: lms.TrackStats = track.stats
    print(stats.frames_delivered + stats.frames_dropped, stats == stats)
    settings: dict[str, Any] = track.get_settings()
    print(settings, track.get_capabilities(), track.get_constraints())
    track.apply_constraints({"width": 320})
    track.apply_constraints()
    use_frame(track.read(timeout=1.0))
    maybe: Optional[lms.Frame] = track.try_read()
    print(maybe)
    for frame in track:
        use_frame(frame)
        break
    track.add_event_listener("ended", on_event)
    track.remove_event_listener("ended", on_event)
    track.set_frame_callback(on_frame)
    track.set_frame_callback(None)
    other: lms.MediaStreamTrack = track.clone()
    other.stop()


def use_image_capture(track: lms.MediaStreamTrack) -> None:
    capture = lms.ImageCapture(track)
    same: lms.MediaStreamTrack = capture.track
    caps: dict[str, Any] = capture.get_photo_capabilities()
    settings: dict[str, Any] = capture.get_photo_settings()
    print(same is track, caps, settings, capture)
    jpeg: bytes = capture.take_photo()
    png: bytes = capture.take_photo(
        image_width=320, image_height=240, fill_light_mode="off", red_eye_reduction=False,
        image_type="image/png", timeout=5.0,
    )
    print(len(jpeg), len(png), len(capture.take_photo(image_width=160, timeout=None)))
    picture: lms.Frame = capture.grab_frame(timeout=5.0)
    use_frame(picture)
    use_frame(capture.grab_frame())


async def use_async(track: lms.MediaStreamTrack) -> int:
    n = 0
    async for frame in track:
        n += use_frame(frame)
        break
    return n


def use_stream(stream: lms.MediaStream) -> None:
    print(stream.id, stream.active)
    tracks: list[lms.MediaStreamTrack] = stream.get_tracks()
    stream.get_audio_tracks()
    video = stream.get_video_tracks()[0]
    assert stream.get_track_by_id(video.id) is video
    stream.remove_track(video)
    stream.add_track(video)
    copy: lms.MediaStream = stream.clone()
    copy.stop()
    print(lms.MediaStream(), lms.MediaStream(stream), lms.MediaStream(tracks))
    use_image_capture(video)
    use_track(video)
    asyncio.run(use_async(video))


def main() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 1, "audio": 1},
                  permissions={"camera": "granted"}, queue_size=4)
    devices: list[lms.DeviceInfo] = lms.enumerate_devices()
    for d in devices:
        caps: dict[str, Any] = d.get_capabilities()
        print(d.device_id, d.kind, d.label, d.group_id, d.to_dict(), caps)
    supported: dict[str, bool] = lms.get_supported_constraints()
    print(supported, lms.__version__)
    lms.add_device_change_listener(on_event)
    lms.remove_device_change_listener(on_event)
    with lms.open(video={"width": {"ideal": 1280}}, audio=True) as stream:
        use_stream(stream)
    lms.get_user_media({"audio": True}).stop()
    lms.open({"video": True}).stop()
    lms.fake_device_control("fake:video:0", "mute")
    lms.fake_device_control("fake:video:0", "unmute")
    lms.fake_device_control("fake:video:0", "controls-refuse")
    lms.fake_device_control("fake:video:0", "controls-accept")
    usage: lms.DeviceUsage = lms.fake_device_usage("fake:video:0")
    print(usage.opens, usage.closes, usage.is_open)
    lms.flush_events()
    with lms.VideoTrackGenerator() as generator:
        processed: lms.MediaStreamTrack = generator.track
        generator.muted = False
        muted: bool = generator.muted
        generator.write(bytes(16 * 16 * 4), 0, format="RGBA", width=16, height=16)
        picture: lms.Frame = processed.read(timeout=1.0)
        generator.write(picture)
        print(muted, generator.closed)
    try:
        lms.open(video={"width": {"exact": 0}})
    except lms.OverconstrainedError as e:
        constraint: str = e.constraint
        print(e.name, e.message, constraint)
    except (lms.TypeError, lms.NotFoundError, lms.NotReadableError, lms.NotAllowedError,
            lms.AbortError, lms.InvalidStateError, lms.InvalidHandleError,
            lms.InvalidArgumentError, lms.TimeoutError, lms.EndedError,
            lms.InternalError) as e:
        print(e)
    except lms.Error as e:
        print(e)


if __name__ == "__main__":
    main()
