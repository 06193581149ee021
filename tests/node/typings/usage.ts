// Type-checked against bindings/node/index.d.ts with `tsc --noEmit --strict`
// (tests/node/typings.test.js): code written for a browser, plus frames.
import * as lms from '../../../bindings/node';
import {
  mediaDevices,
  InputDeviceInfo,
  ImageCapture,
  MediaStream,
  MediaStreamTrack,
  OverconstrainedError,
  type AudioFrame,
  type MediaSettingsRange,
  type MeteringMode,
  type PhotoCapabilities,
  type PhotoSettings,
  type Frame,
  type MediaStreamConstraints,
  type MediaTrackSettings,
  type RawVideoFrame,
  type WebCodecsVideoFrame,
  VideoFrame,
} from '../../../bindings/node';

export async function main(): Promise<void> {
  lms.configure({ backends: ['fake'], fake: { pacing: 'none', video: 2, audio: 1 }, queueSize: 4 });
  const constraints: MediaStreamConstraints = {
    video: { width: { ideal: 1280, min: 160 }, frameRate: { max: 30 }, deviceId: { exact: 'fake:video:0' }, pixelFormat: 'I420' },
    audio: { sampleRate: 48000, echoCancellation: false, advanced: [{ channelCount: 2 }] },
  };
  const stream: MediaStream = await mediaDevices.getUserMedia(constraints);
  const id: string = stream.id;
  const active: boolean = stream.active;
  const tracks: MediaStreamTrack[] = stream.getTracks();
  const [video] = stream.getVideoTracks();
  const [audio] = stream.getAudioTracks();
  const same: MediaStreamTrack | null = stream.getTrackById(video.id);
  stream.addTrack(video);
  stream.removeTrack(audio);
  const copy: MediaStream = new MediaStream(stream);
  const fromTracks = new MediaStream([video, audio]);
  const empty = new MediaStream();
  const cloned: MediaStream = stream.clone();

  const kind: 'audio' | 'video' = video.kind;
  const state: 'live' | 'ended' = video.readyState;
  video.enabled = false;
  const muted: boolean = video.muted;
  const settings: MediaTrackSettings = video.getSettings();
  const width: number | undefined = settings.width;
  const max: number | undefined = video.getCapabilities().width?.max;
  await video.applyConstraints({ width: 320, height: { exact: 240 } });
  video.onended = (event: Event) => console.log(event.type, video.readyState);
  video.onmute = null;
  video.addEventListener('unmute', (event) => console.log(event.type));
  video.addEventListener('ended', { handleEvent: (event: Event) => console.log(event.type) }, { once: true });
  stream.onaddtrack = () => {};
  mediaDevices.ondevicechange = () => {};
  mediaDevices.addEventListener('devicechange', () => {});
  mediaDevices.addEventListener('devicechange', (event) => {
    const all: ReadonlyArray<lms.MediaDeviceInfo> = event.devices;
    console.log(all.length, event.userInsertedDevices.map((d) => d.deviceId));
  });
  const change = new lms.DeviceChangeEvent('devicechange', { devices: [], userInsertedDevices: [] });
  console.log(change.devices.length);
  stream.addEventListener('addtrack', (event) => console.log(event.track.id));
  stream.onremovetrack = (event: lms.MediaStreamTrackEvent) => console.log(event.track.kind);
  const trackEvent: lms.MediaStreamTrackEvent = new lms.MediaStreamTrackEvent('addtrack', { track: video });
  console.log(trackEvent.track === video);

  const frame: Frame = await video.readFrame({ timeout: 1000 });
  if (frame.kind === 'video') {
    const v: RawVideoFrame = frame;
    const y: number = v.planes[0][0];
    const n: number | null = lms.decodeSequence(v);
    console.log(v.width, v.height, v.format, v.strides[0], y, n);
  } else {
    const a: AudioFrame = frame;
    console.log(a.sampleRate, a.channels, a.sampleCount, a.samples[0]);
  }
  frame.close();
  const closed: boolean = frame.closed;
  // The WebCodecs VideoFrame, made from bytes (copied) and from another frame.
  const made = new VideoFrame(new Uint8Array(16 * 8 * 4), { format: 'RGBX', codedWidth: 16, codedHeight: 8, timestamp: 0 });
  const sameMemory: WebCodecsVideoFrame = new lms.VideoFrame(made, { timestamp: 40_000, duration: 33_333 });
  const rgba = new Uint8Array(made.allocationSize({ format: 'BGRA' }));
  await made.copyTo(rgba, { format: 'BGRA', colorSpace: 'srgb' });
  console.log(sameMemory.timestamp, made.format, rgba.length);
  sameMemory.close();
  made.close();
  for await (const f of audio.frames()) {
    console.log(f.sequence, f.timestamp, f.planes.length);
    break;
  }
  const stats = video.getStats();
  console.log(stats.framesDelivered, stats.framesDropped);

  const devices = await mediaDevices.enumerateDevices();
  for (const d of devices) {
    const k: 'audioinput' | 'videoinput' | 'audiooutput' = d.kind;
    console.log(d.deviceId, d.label, d.groupId, k, d.toJSON());
    if (d instanceof InputDeviceInfo) {
      const input: 'audioinput' | 'videoinput' = d.kind;
      console.log(input, d.getCapabilities().deviceId);
    }
  }
  const supported: boolean | undefined = mediaDevices.getSupportedConstraints().width;

  try {
    await mediaDevices.getUserMedia({ video: { width: { min: 1e8 } } });
  } catch (e) {
    if (e instanceof OverconstrainedError) {
      const name: string = e.name;
      const constraint: string = e.constraint;
      console.log(name, constraint, e.message, e instanceof DOMException);
    }
  }
  // Camera controls and photos (W3C MediaStream Image Capture).
  const ptz = await mediaDevices.getUserMedia({ video: { pan: true, tilt: true, zoom: true } });
  const [camera] = ptz.getVideoTracks();
  const caps = camera.getCapabilities();
  const brightnessRange: MediaSettingsRange | undefined = caps.brightness;
  const focusModes: MeteringMode[] | undefined = caps.focusMode;
  const torchValues: boolean[] | undefined = caps.torch;
  await camera.applyConstraints({
    brightness: 200,
    exposureMode: 'manual',
    exposureTime: { exact: 100 },
    zoom: { ideal: 2 },
    pan: { min: -10, max: 10 },
    torch: false,
    advanced: [{ whiteBalanceMode: 'continuous', colorTemperature: 5000, focusMode: ['manual', 'continuous'] }],
  });
  const cameraSettings: MediaTrackSettings = camera.getSettings();
  const brightness: number | undefined = cameraSettings.brightness;
  const exposureMode: MeteringMode | undefined = cameraSettings.exposureMode;
  const torch: boolean | undefined = cameraSettings.torch;
  const zoomSupported: boolean | undefined = mediaDevices.getSupportedConstraints().zoom;
  lms.fakeDeviceControl('fake:video:0', 'controls-refuse');
  lms.fakeDeviceControl('fake:video:0', 'controls-accept');
  const capture = new ImageCapture(camera);
  const captureTrack: MediaStreamTrack = capture.track;
  const photoCaps: PhotoCapabilities = await capture.getPhotoCapabilities();
  const maxPhotoWidth: number | undefined = photoCaps.imageWidth.max;
  const photoSettings: PhotoSettings = await capture.getPhotoSettings();
  const photo: Blob = await capture.takePhoto({ imageWidth: 320, imageType: 'image/png', fillLightMode: 'off' });
  const photoBytes: ArrayBuffer = await (await capture.takePhoto()).arrayBuffer();
  const picture: RawVideoFrame = await capture.grabFrame();
  console.log(picture.width, picture.height, picture.format, picture.planes[0].length, photo.type, photo.size);
  picture.close();
  camera.stop();
  console.log(brightnessRange, focusModes, torchValues, brightness, exposureMode, torch, zoomSupported);
  console.log(captureTrack, maxPhotoWidth, photoSettings, photoBytes.byteLength);

  lms.fakeDeviceControl('fake:video:0', 'disconnect');
  const usage: { opens: number; closes: number } = lms.fakeDeviceUsage('fake:video:0');
  stream.stop();
  video.stop();
  const c: MediaStreamTrack = video.clone();
  const version: string = lms.version;
  console.log(id, active, tracks, same, copy, fromTracks, empty, cloned, kind, state, muted, width, max, closed, supported, usage, c, version);
}

// @ts-expect-error tracks are not constructible
new MediaStreamTrack();
// @ts-expect-error not a constraint value
void mediaDevices.getUserMedia({ video: { width: 'wide' } });
// @ts-expect-error not a fake device action
lms.fakeDeviceControl('fake:video:0', 'explode');
// @ts-expect-error ImageCapture takes a track
new ImageCapture();
// @ts-expect-error photos are JPEG or PNG
void new ImageCapture(new MediaStream().getVideoTracks()[0]).takePhoto({ imageType: 'image/gif' });
// @ts-expect-error torch is a boolean constraint
void mediaDevices.getUserMedia({ video: { torch: 1 } });
