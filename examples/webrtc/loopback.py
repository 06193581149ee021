"""A WebRTC call with itself: the fake camera and microphone sent through
aiortc (VP8 and Opus) from one RTCPeerConnection to another in this process,
then the sequence numbers the far side's pictures carry and the pitch of the
tone it heard.

    pip install 'localmediastream[aiortc]'
    python examples/webrtc/loopback.py [SECONDS]     (default 3)

The fake camera paints each frame's sequence number into the picture;
`lms.decode_sequence` reads it from our frames, so the received pictures are
played back by a file camera (a Y4M file) to read theirs.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

import localmediastream as lms
from localmediastream.aiortc import to_aiortc


async def call(seconds: float) -> tuple[list[np.ndarray], list[av.AudioFrame]]:
    """Sends our tracks for `seconds`; what the far side decoded: lumas and audio frames."""
    stream = lms.open(video={"width": 640, "height": 480, "frameRate": 30}, audio=True)
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # host candidates only
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    lumas: list[np.ndarray] = []
    sounds: list[av.AudioFrame] = []

    async def take(track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                if isinstance(frame, av.VideoFrame):
                    lumas.append(frame.to_ndarray(format="gray"))
                elif isinstance(frame, av.AudioFrame):
                    sounds.append(frame)
        except MediaStreamError:
            pass

    readers: list[asyncio.Task[None]] = []
    receiver.on("track", lambda track: readers.append(asyncio.ensure_future(take(track))))
    for track in stream.get_tracks():
        sender.addTrack(to_aiortc(track))
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    await asyncio.sleep(seconds)
    print(f"call: {sender.connectionState}, {len(lumas)} pictures and {len(sounds)} audio frames received")
    await sender.close()  # stops our tracks too
    await receiver.close()
    for reader in readers:
        reader.cancel()
    return lumas, sounds


def sequence_numbers(lumas: list[np.ndarray]) -> list[int | None]:
    """The sequence code of each picture, read by localmediastream itself."""
    h, w = lumas[0].shape
    grey = bytes([128]) * (2 * (w // 2) * (h // 2))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "received.y4m"
        with open(path, "wb") as f:
            f.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
            for y in lumas:
                f.write(b"FRAME\n" + y.tobytes() + grey)
        lms.configure(backends=["file"], file={"video": str(path), "loop": False, "pacing": "none"})
        with lms.open(video=True) as stream:
            numbers = [lms.decode_sequence(frame) for frame in stream.get_video_tracks()[0]]
    return numbers


def pitch(sounds: list[av.AudioFrame]) -> float:
    """The tone's frequency (FFT peak, refined by a parabola), over the first channel."""
    rate = sounds[0].sample_rate
    x = np.concatenate([s.to_ndarray().reshape(-1, len(s.layout.channels))[:, 0] for s in sounds])
    x = x.astype(np.float64) - x.mean()
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) + 1e-12
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2])
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / len(x))


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    lms.configure(backends=["fake"], fake={"pacing": "realtime", "video": 1, "audio": 1, "toneHz": 440})
    lumas, sounds = asyncio.run(call(seconds))
    numbers = sequence_numbers(lumas)
    print("received sequence numbers:", " ".join("?" if n is None else str(n) for n in numbers))
    readable = [n for n in numbers if n is not None]
    print(f"{len(readable)} of {len(numbers)} pictures carry a readable code")
    print(f"tone heard: {pitch(sounds[25:] or sounds):.2f} Hz (sent: 440 Hz)")


if __name__ == "__main__":
    main()
