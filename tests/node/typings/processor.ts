// Type-checked against bindings/node/index.d.ts with `tsc --noEmit --strict`
// (tests/node/processor.test.js): browser code reading raw frames.
import {
  mediaDevices,
  AudioData,
  MediaStreamTrackProcessor,
  type AudioDataCopyToOptions,
  type DOMRectReadOnly,
  type PlaneLayout,
  type VideoPixelFormat,
  type WebCodecsVideoFrame,
} from '../../../bindings/node';

export async function video(): Promise<number> {
  const stream = await mediaDevices.getUserMedia({ video: { width: 640 } });
  const [track] = stream.getVideoTracks();
  const processor = new MediaStreamTrackProcessor({ track, maxBufferSize: 2 });
  const reader = processor.readable.getReader();
  const { value, done } = await reader.read();
  if (done || value === undefined || value instanceof AudioData) return 0;
  const frame: WebCodecsVideoFrame = value;
  const format: VideoPixelFormat | null = frame.format;
  const rect: DOMRectReadOnly | null = frame.visibleRect;
  const size: number = frame.allocationSize({ rect: { x: 0, y: 0, width: 16, height: 16 } });
  const layout: PlaneLayout[] = await frame.copyTo(new Uint8Array(size), { rect: { x: 0, y: 0, width: 16, height: 16 } });
  const padded: PlaneLayout[] = await frame.copyTo(new ArrayBuffer(1 << 20), {
    layout: [{ offset: 0, stride: 1024 }, { offset: 500_000, stride: 512 }, { offset: 700_000, stride: 512 }],
  });
  const duration: number | null = frame.duration;
  const copy: WebCodecsVideoFrame = frame.clone();
  copy.close();
  frame.close();
  await reader.cancel();
  for await (const f of new MediaStreamTrackProcessor<WebCodecsVideoFrame>({ track }).readable) {
    const width: number = f.codedWidth;
    void width;
    f.close();
    break;
  }
  stream.stop();
  return (format === null ? 0 : 1) + (rect?.width ?? 0) + layout.length + padded.length + (duration ?? 0) + frame.timestamp + frame.codedWidth;
}

export async function audio(): Promise<Float32Array> {
  const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const { value } = await reader.read();
  const left = new Float32Array(480);
  if (value instanceof AudioData) {
    const options: AudioDataCopyToOptions = { planeIndex: 0, format: 'f32-planar', frameCount: 480 };
    if (value.allocationSize(options) <= left.byteLength) value.copyTo(left, options);
    const rate: number = value.sampleRate + value.numberOfFrames + value.numberOfChannels + value.duration;
    void rate;
    value.clone().close();
    value.close();
  }
  const made = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0, data: new Float32Array(1) });
  made.close();
  track.stop();
  return left;
}
