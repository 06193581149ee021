// Type-checked against bindings/node/index.d.ts with `tsc --noEmit --strict`
// (tests/node/processor.test.js): browser code reading raw frames.
import { TransformStream } from 'node:stream/web';
import {
  mediaDevices,
  AudioData,
  MediaStreamTrackProcessor,
  VideoTrackGenerator,
  type MediaStreamTrack,
  type AudioDataCopyToOptions,
  type DOMRectReadOnly,
  type PlaneLayout,
  type VideoFrameBufferInit,
  type VideoFrameInit,
  type VideoPixelFormat,
  type WebCodecsVideoFrame,
  VideoFrame,
} from '../../../bindings/node';

export async function video(): Promise<number> {
  const stream = await mediaDevices.getUserMedia({ video: { width: 640 } });
  const [track] = stream.getVideoTracks();
  const processor = new MediaStreamTrackProcessor({ track, maxBufferSize: 2 });
  const reader = processor.readable.getReader();
  const { value, done } = await reader.read();
  if (done || value === undefined || value instanceof AudioData) return 0;
  const frame: VideoFrame = value;
  const old: WebCodecsVideoFrame = frame; // the former name
  const format: VideoPixelFormat | null = frame.format;
  const rect: DOMRectReadOnly | null = frame.visibleRect;
  const size: number = frame.allocationSize({ rect: { x: 0, y: 0, width: 16, height: 16 } });
  const layout: PlaneLayout[] = await frame.copyTo(new Uint8Array(size), { rect: { x: 0, y: 0, width: 16, height: 16 } });
  const padded: PlaneLayout[] = await frame.copyTo(new ArrayBuffer(1 << 20), {
    layout: [{ offset: 0, stride: 1024 }, { offset: 500_000, stride: 512 }, { offset: 700_000, stride: 512 }],
  });
  const duration: number | null = frame.duration;
  const copy: VideoFrame = frame.clone();
  copy.close();
  const init: VideoFrameInit = { timestamp: frame.timestamp + 1, visibleRect: { x: 0, y: 0, width: 16, height: 16 } };
  const later = new VideoFrame(frame, init);
  const rgba = new Uint8Array(later.allocationSize({ format: 'RGBA' }));
  await later.copyTo(rgba, { format: 'RGBA', layout: [{ offset: 0, stride: 16 * 4 }] });
  later.close();
  void old;
  frame.close();
  await reader.cancel();
  for await (const f of new MediaStreamTrackProcessor<VideoFrame>({ track }).readable) {
    const width: number = f.codedWidth;
    void width;
    f.close();
    break;
  }
  stream.stop();
  return (format === null ? 0 : 1) + (rect?.width ?? 0) + layout.length + padded.length + (duration ?? 0) + frame.timestamp + frame.codedWidth;
}

export async function constructed(): Promise<number> {
  const [w, h] = [4, 2];
  const init: VideoFrameBufferInit = {
    format: 'I420',
    codedWidth: w,
    codedHeight: h,
    timestamp: 0,
    duration: 1000,
    layout: [{ offset: 0, stride: w }, { offset: w * h, stride: w / 2 }, { offset: w * h + (w / 2) * (h / 2), stride: w / 2 }],
    visibleRect: { x: 0, y: 0, width: 2, height: 2 },
    displayWidth: 4,
    displayHeight: 4,
    colorSpace: { primaries: 'smpte170m', matrix: 'smpte170m', transfer: 'smpte170m', fullRange: false },
    rotation: 90,
    flip: false,
    metadata: {},
  };
  const frame = new VideoFrame(new ArrayBuffer((w * h * 3) / 2), init);
  const fromView = new VideoFrame(new Uint8Array(w * h * 4), { format: 'BGRX', codedWidth: w, codedHeight: h, timestamp: 0 });
  const fromShared = new VideoFrame(new SharedArrayBuffer(w * h * 4), { format: 'RGBA', codedWidth: w, codedHeight: h, timestamp: 0 });
  const copy = new VideoFrame(frame);
  const size = copy.allocationSize({ format: 'RGBX' }) + fromView.displayWidth + fromShared.rotation;
  for (const f of [frame, fromView, fromShared, copy]) f.close();
  return size;
}

// @ts-expect-error the buffer constructor needs an init
new VideoFrame(new ArrayBuffer(16));
// @ts-expect-error codedWidth is required
new VideoFrame(new ArrayBuffer(16), { format: 'RGBA', codedHeight: 2, timestamp: 0 });
// @ts-expect-error not a VideoPixelFormat
new VideoFrame(new ArrayBuffer(16), { format: 'YUY2', codedWidth: 2, codedHeight: 2, timestamp: 0 });

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

/** Processed video: a camera's frames, changed, written to a generator whose track is read back. */
export async function processed(): Promise<MediaStreamTrack> {
  const [camera] = (await mediaDevices.getUserMedia({ video: true })).getVideoTracks();
  const generator = new VideoTrackGenerator();
  const muted: boolean = generator.muted;
  generator.muted = !muted;
  await new MediaStreamTrackProcessor<VideoFrame>({ track: camera })
    .readable.pipeThrough(
      new TransformStream<VideoFrame, VideoFrame>({
        transform(frame, controller) {
          controller.enqueue(new VideoFrame(frame, { timestamp: frame.timestamp }));
          frame.close();
        },
      }),
    )
    .pipeTo(generator.writable);
  const out: MediaStreamTrack = generator.track.clone();
  // @ts-expect-error track is read-only
  generator.track = out;
  return out;
}
