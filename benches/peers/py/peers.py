"""What users would pick instead of localmediastream, from Python (one JSON line).

    peers.py v1-gst PATTERN N        GStreamer videotestsrc pattern=PATTERN ! I420 1080p ! appsink
    peers.py v1-av SOURCE N          PyAV over FFmpeg's lavfi SOURCE (testsrc2, color) at 1080p yuv420p
    peers.py v2-cv FILE PASSES       OpenCV VideoCapture (FFmpeg backend), CAP_PROP_FORMAT=-1: raw frames
    peers.py v2-av FILE PASSES       PyAV: yuv4mpegpipe demuxer + rawvideo decoder
    peers.py v2-gst FILE PASSES      GStreamer filesrc ! y4mdec ! appsink
    peers.py v2-naive FILE PASSES    plain Python: readinto() of every frame into one bytearray
    peers.py a1-gst N                GStreamer audiotestsrc (sine) ! F32LE 48 kHz stereo, 480 samples ! appsink
    peers.py a1-av N                 PyAV over lavfi sine, aformat flt stereo, 480 samples per frame

Unpaced everywhere (appsink sync=false). Appsinks hold at most 4 buffers and
block the source when full (max-buffers=4 drop=false), like our bounded
queues with unpaced sources. The consumer reads one byte of each plane of each
frame (offsets 0, w*h, w*h*5/4 of an I420 picture), or one sample of each
audio chunk. V1 and A1 skip 100 frames of warm-up; V2 times every frame of
the file, PASSES times, without the open.
"""

from __future__ import annotations

import json
import struct
import sys
import time

W, H = 1920, 1080
PLANES = (0, W * H, W * H * 5 // 4)  # I420 plane offsets at 1920x1080
WARM_UP = 100


def gst():
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstApp", "1.0")
    from gi.repository import Gst, GstApp  # noqa: F401  (GstApp: pull_sample on appsink)

    Gst.init(None)
    return Gst


def gst_pull(Gst, description: str, count: int | None, consume) -> tuple[int, float]:
    """Run a pipeline ending in `appsink name=sink`; consume(mapped bytes)
    for each sample; time from the WARM_UP-th sample (None: all samples, timed
    from the first). Returns (samples timed, seconds)."""
    pipeline = Gst.parse_launch(description)
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    n, start = 0, None
    warm = WARM_UP if count is not None else 0
    while True:
        if n == warm:
            start = time.perf_counter()
        sample = sink.pull_sample()
        if sample is None:  # EOS
            break
        buffer = sample.get_buffer()
        ok, info = buffer.map(Gst.MapFlags.READ)
        consume(info.data)
        buffer.unmap(info)
        n += 1
        if count is not None and n == warm + count:
            break
    seconds = time.perf_counter() - start
    pipeline.set_state(Gst.State.NULL)
    return n - warm, seconds


checksum = 0


def touch_i420(data) -> None:
    global checksum
    checksum += data[PLANES[0]] + data[PLANES[1]] + data[PLANES[2]]


def touch_f32(data) -> None:
    global checksum
    checksum += struct.unpack_from("<f", data, 0)[0]


def result(frames: int, seconds: float, **extra) -> dict:
    out = {"frames": frames, "seconds": seconds, "fps": frames / seconds}
    out.update(extra)
    out["checksum"] = round(checksum % 1000, 3)
    return out


def v1_gst(pattern: str, count: int) -> dict:
    global Gst
    Gst = gst()
    n, s = gst_pull(
        Gst,
        f"videotestsrc pattern={pattern} ! video/x-raw,format=I420,width={W},height={H},framerate=30/1 "
        "! appsink name=sink sync=false max-buffers=4 drop=false",
        count,
        touch_i420,
    )
    return result(n, s)


def av_touch_video(frame) -> None:
    global checksum
    for plane in frame.planes:
        checksum += memoryview(plane)[0]


def v1_av(source: str, count: int) -> dict:
    import av

    graph = {
        "testsrc2": f"testsrc2=size={W}x{H}:rate=30,format=yuv420p",
        "color": f"color=c=black:size={W}x{H}:rate=30,format=yuv420p",
    }[source]
    with av.open(graph, format="lavfi") as container:
        stream = container.streams.video[0]
        n, start = 0, time.perf_counter()
        for frame in container.decode(stream):
            if n == WARM_UP:
                start = time.perf_counter()
            av_touch_video(frame)
            n += 1
            if n == WARM_UP + count:
                break
        seconds = time.perf_counter() - start
        assert frame.format.name == "yuv420p" and frame.width == W, frame
        return result(count, seconds, codec=stream.codec_context.name)


def v2_cv(path: str, passes: int) -> dict:
    import cv2

    global checksum
    frames, seconds, packet = 0, 0.0, 0
    for _ in range(passes):
        cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
        assert cap.isOpened(), path
        assert cap.set(cv2.CAP_PROP_FORMAT, -1), "CAP_PROP_FORMAT=-1 refused"
        start = time.perf_counter()
        while True:
            ok, mat = cap.read()  # the demuxed packet: the raw I420 frame as a 1xN uint8 Mat
            if not ok:
                break
            row = mat[0] if mat.ndim == 2 else mat.reshape(-1)
            packet = row.size
            checksum += int(row[PLANES[0]]) + int(row[PLANES[1]]) + int(row[PLANES[2]])
            frames += 1
        seconds += time.perf_counter() - start
        cap.release()
    return result(frames, seconds, packet_bytes=packet)


def v2_av(path: str, passes: int) -> dict:
    import av

    frames, seconds = 0, 0.0
    for _ in range(passes):
        with av.open(path) as container:
            stream = container.streams.video[0]
            start = time.perf_counter()
            for frame in container.decode(stream):
                av_touch_video(frame)
                frames += 1
            seconds += time.perf_counter() - start
    return result(frames, seconds, codec=stream.codec_context.name)


def v2_gst(path: str, passes: int) -> dict:
    global Gst
    Gst = gst()
    frames, seconds = 0, 0.0
    for _ in range(passes):
        n, s = gst_pull(
            Gst,
            f"filesrc location={path} ! y4mdec ! appsink name=sink sync=false max-buffers=4 drop=false",
            None,
            touch_i420,
        )
        frames += n
        seconds += s
    return result(frames, seconds)


def v2_naive(path: str, passes: int) -> dict:
    global checksum
    frames, seconds = 0, 0.0
    size = W * H * 3 // 2
    buf = bytearray(size)
    for _ in range(passes):
        with open(path, "rb", buffering=0) as f:
            header = b""
            while not header.endswith(b"\n"):
                header += f.read(1)
            assert header.startswith(b"YUV4MPEG2 ") and b" W1920 " in header and b" H1080 " in header, header
            start = time.perf_counter()
            while True:
                marker = f.read(6)  # "FRAME\n" (no frame parameters in our file)
                if len(marker) < 6:
                    break
                assert marker == b"FRAME\n", marker
                if f.readinto(buf) != size:
                    break
                checksum += buf[PLANES[0]] + buf[PLANES[1]] + buf[PLANES[2]]
                frames += 1
            seconds += time.perf_counter() - start
    return result(frames, seconds)


def a1_gst(count: int) -> dict:
    global Gst
    Gst = gst()
    n, s = gst_pull(
        Gst,
        "audiotestsrc wave=sine freq=440 samplesperbuffer=480 "
        "! audio/x-raw,format=F32LE,rate=48000,channels=2,layout=interleaved "
        "! appsink name=sink sync=false max-buffers=4 drop=false",
        count,
        touch_f32,
    )
    return result(n, s)


def a1_av(count: int) -> dict:
    import av

    global checksum
    graph = "sine=frequency=440:sample_rate=48000:samples_per_frame=480,aformat=sample_fmts=flt:channel_layouts=stereo"
    with av.open(graph, format="lavfi") as container:
        stream = container.streams.audio[0]
        n, start = 0, time.perf_counter()
        for frame in container.decode(stream):
            if n == WARM_UP:
                start = time.perf_counter()
            checksum += struct.unpack_from("<f", frame.planes[0], 0)[0]
            n += 1
            if n == WARM_UP + count:
                break
        seconds = time.perf_counter() - start
        assert frame.samples == 480 and frame.format.name == "flt", frame
        return result(count, seconds, codec=stream.codec_context.name)


def main() -> None:
    mode, args = sys.argv[1], sys.argv[2:]
    run = {
        "v1-gst": lambda: v1_gst(args[0], int(args[1])),
        "v1-av": lambda: v1_av(args[0], int(args[1])),
        "v2-cv": lambda: v2_cv(args[0], int(args[1])),
        "v2-av": lambda: v2_av(args[0], int(args[1])),
        "v2-gst": lambda: v2_gst(args[0], int(args[1])),
        "v2-naive": lambda: v2_naive(args[0], int(args[1])),
        "a1-gst": lambda: a1_gst(int(args[0])),
        "a1-av": lambda: a1_av(int(args[0])),
    }.get(mode)
    if run is None:
        raise SystemExit(__doc__)
    print(json.dumps(run()))


if __name__ == "__main__":
    main()
