// Type definitions for localmediastream: getUserMedia() for Node.js with the
// browser's API (W3C Media Capture and Streams), plus frame access.
//
// Hand-written; tests/node/typings.test.js type-checks a usage file against it
// with `tsc --noEmit --strict` and fails when a runtime export or member is
// missing here (or declared here but missing at run time).

/// <reference types="node" />

// ---- constraints (the specification's dictionaries) ----

export interface ULongRange {
  max?: number;
  min?: number;
}
export interface DoubleRange {
  max?: number;
  min?: number;
}
export interface ConstrainULongRange extends ULongRange {
  exact?: number;
  ideal?: number;
}
export interface ConstrainDoubleRange extends DoubleRange {
  exact?: number;
  ideal?: number;
}
export interface ConstrainBooleanParameters {
  exact?: boolean;
  ideal?: boolean;
}
export interface ConstrainDOMStringParameters {
  exact?: string | string[];
  ideal?: string | string[];
}
/** A bare number means `ideal`. */
export type ConstrainULong = number | ConstrainULongRange;
/** A bare number means `ideal`. */
export type ConstrainDouble = number | ConstrainDoubleRange;
/** A bare boolean means `ideal`. */
export type ConstrainBoolean = boolean | ConstrainBooleanParameters;
/** A bare string (or list) means `ideal`. */
export type ConstrainDOMString = string | string[] | ConstrainDOMStringParameters;

/** A range of a camera control or photo setting (`getCapabilities()`, `getPhotoCapabilities()`). */
export interface MediaSettingsRange {
  max?: number;
  min?: number;
  /** The values are `min + k * step`; 0 means any value in the range. */
  step?: number;
}

/** How focus, exposure or white balance is controlled (Image Capture's MeteringMode). */
export type MeteringMode = 'none' | 'manual' | 'single-shot' | 'continuous';
/** Whether photos reduce red eye (`getPhotoCapabilities()`). */
export type RedEyeReduction = 'never' | 'always' | 'controllable';
/** The flash of a photo. */
export type FillLightMode = 'auto' | 'off' | 'flash';

/** Pixel layouts a video track can deliver; I420 is the default. */
export type PixelFormat = 'I420' | 'NV12' | 'YUY2' | 'RGB24' | 'BGR24' | 'RGBA' | 'BGRA' | 'MJPEG';
/** Audio sample encodings; f32 is the default. */
export type SampleFormat = 'f32' | 's16';

export interface MediaTrackConstraintSet {
  deviceId?: ConstrainDOMString;
  groupId?: ConstrainDOMString;
  width?: ConstrainULong;
  height?: ConstrainULong;
  aspectRatio?: ConstrainDouble;
  frameRate?: ConstrainDouble;
  facingMode?: ConstrainDOMString;
  resizeMode?: ConstrainDOMString;
  sampleRate?: ConstrainULong;
  sampleSize?: ConstrainULong;
  channelCount?: ConstrainULong;
  latency?: ConstrainDouble;
  /**
   * Also an `EchoCancellationModeEnum` value: `'remote-only'` cancels what the program plays (given to the
   * core's render()); `'all'` will also cancel the system's output once loopback exists (like `true` for now).
   */
  echoCancellation?:
    | ConstrainBoolean
    | 'all'
    | 'remote-only'
    | { exact?: boolean | 'all' | 'remote-only'; ideal?: boolean | 'all' | 'remote-only' };
  autoGainControl?: ConstrainBoolean;
  noiseSuppression?: ConstrainBoolean;
  voiceIsolation?: ConstrainBoolean;
  /** Not in the specification: the pixel layout of video frames. */
  pixelFormat?: ConstrainDOMString;
  /** Not in the specification: the sample encoding of audio frames. */
  sampleFormat?: ConstrainDOMString;
  // Camera controls (W3C MediaStream Image Capture). They belong to the
  // device: every track on one camera sees the same values.
  /** A MeteringMode: 'manual' or 'continuous'. */
  whiteBalanceMode?: ConstrainDOMString;
  /** A MeteringMode; an `exposureTime` value switches it to 'manual'. */
  exposureMode?: ConstrainDOMString;
  /** A MeteringMode; a `focusDistance` value switches it to 'manual'. */
  focusMode?: ConstrainDOMString;
  /** In exposure value (EV) steps. */
  exposureCompensation?: ConstrainDouble;
  /** In 100 µs units. */
  exposureTime?: ConstrainDouble;
  /** In kelvin. */
  colorTemperature?: ConstrainDouble;
  iso?: ConstrainDouble;
  brightness?: ConstrainDouble;
  contrast?: ConstrainDouble;
  saturation?: ConstrainDouble;
  sharpness?: ConstrainDouble;
  /** In metres. */
  focusDistance?: ConstrainDouble;
  /** In degrees; `true` in getUserMedia() asks for a camera that can pan. */
  pan?: boolean | ConstrainDouble;
  /** In degrees; `true` in getUserMedia() asks for a camera that can tilt. */
  tilt?: boolean | ConstrainDouble;
  /** `true` in getUserMedia() asks for a camera that can zoom. */
  zoom?: boolean | ConstrainDouble;
  torch?: ConstrainBoolean;
}

export interface MediaTrackConstraints extends MediaTrackConstraintSet {
  /** Sets tried in order; one that cannot be satisfied is skipped. */
  advanced?: MediaTrackConstraintSet[];
}

export interface MediaStreamConstraints {
  audio?: boolean | MediaTrackConstraints;
  video?: boolean | MediaTrackConstraints;
}

/** What a track delivers now (`getSettings()`). */
export interface MediaTrackSettings {
  deviceId?: string;
  groupId?: string;
  width?: number;
  height?: number;
  aspectRatio?: number;
  frameRate?: number;
  facingMode?: string;
  resizeMode?: string;
  sampleRate?: number;
  sampleSize?: number;
  channelCount?: number;
  latency?: number;
  /** `true`, `false`, `'all'` or `'remote-only'`: what the track's constraints chose. */
  echoCancellation?: boolean | 'all' | 'remote-only';
  autoGainControl?: boolean;
  noiseSuppression?: boolean;
  voiceIsolation?: boolean;
  pixelFormat?: PixelFormat;
  sampleFormat?: SampleFormat;
  // Camera controls, read back from the device (the same on every track of it).
  whiteBalanceMode?: MeteringMode;
  exposureMode?: MeteringMode;
  focusMode?: MeteringMode;
  exposureCompensation?: number;
  exposureTime?: number;
  colorTemperature?: number;
  iso?: number;
  brightness?: number;
  contrast?: number;
  saturation?: number;
  sharpness?: number;
  focusDistance?: number;
  pan?: number;
  tilt?: number;
  zoom?: number;
  torch?: boolean;
}

/** What a track or device could deliver (`getCapabilities()`). */
export interface MediaTrackCapabilities {
  deviceId?: string;
  groupId?: string;
  width?: ULongRange;
  height?: ULongRange;
  aspectRatio?: DoubleRange;
  frameRate?: DoubleRange;
  facingMode?: string[];
  resizeMode?: string[];
  sampleRate?: ULongRange;
  sampleSize?: ULongRange;
  channelCount?: ULongRange;
  latency?: DoubleRange;
  /** Every microphone: `[true, false, 'all', 'remote-only']`. */
  echoCancellation?: (boolean | 'all' | 'remote-only')[];
  autoGainControl?: boolean[];
  noiseSuppression?: boolean[];
  voiceIsolation?: boolean[];
  pixelFormat?: PixelFormat[];
  sampleFormat?: SampleFormat[];
  // Camera controls the device has (absent: it has not that control; a file camera has none).
  whiteBalanceMode?: MeteringMode[];
  exposureMode?: MeteringMode[];
  focusMode?: MeteringMode[];
  exposureCompensation?: MediaSettingsRange;
  exposureTime?: MediaSettingsRange;
  colorTemperature?: MediaSettingsRange;
  iso?: MediaSettingsRange;
  brightness?: MediaSettingsRange;
  contrast?: MediaSettingsRange;
  saturation?: MediaSettingsRange;
  sharpness?: MediaSettingsRange;
  focusDistance?: MediaSettingsRange;
  pan?: MediaSettingsRange;
  tilt?: MediaSettingsRange;
  zoom?: MediaSettingsRange;
  /** The values torch can take, as for the other booleans (`[false, true]`). */
  torch?: boolean[];
}

/** `getSupportedConstraints()`: every supported constraint, `true`. */
export interface MediaTrackSupportedConstraints {
  deviceId?: boolean;
  groupId?: boolean;
  width?: boolean;
  height?: boolean;
  aspectRatio?: boolean;
  frameRate?: boolean;
  facingMode?: boolean;
  resizeMode?: boolean;
  sampleRate?: boolean;
  sampleSize?: boolean;
  channelCount?: boolean;
  latency?: boolean;
  echoCancellation?: boolean;
  autoGainControl?: boolean;
  noiseSuppression?: boolean;
  voiceIsolation?: boolean;
  pixelFormat?: boolean;
  sampleFormat?: boolean;
  whiteBalanceMode?: boolean;
  exposureMode?: boolean;
  focusMode?: boolean;
  exposureCompensation?: boolean;
  exposureTime?: boolean;
  colorTemperature?: boolean;
  iso?: boolean;
  brightness?: boolean;
  contrast?: boolean;
  saturation?: boolean;
  sharpness?: boolean;
  focusDistance?: boolean;
  pan?: boolean;
  tilt?: boolean;
  zoom?: boolean;
  torch?: boolean;
}

// ---- frames ----

interface FrameBase {
  /** Capture time: microseconds on the OS capture clock (CLOCK_MONOTONIC on Linux, the host clock on macOS, QueryPerformanceCounter on Windows). */
  readonly timestamp: number;
  /** The source's capture counter: +1 per captured frame; gaps mean frames this track skipped or dropped. */
  readonly sequence: number;
  /**
   * The frame's bytes, as Buffers over the library's own memory (no copy).
   * They stay valid after the track stops, for as long as JavaScript holds
   * them. Treat them as read-only: other tracks may share the same memory.
   */
  readonly planes: Buffer[];
  /** True once close() was called. */
  readonly closed: boolean;
  /**
   * Give the frame's memory back to its device now rather than when the
   * garbage collector finds the frame: every plane (and `samples`) becomes
   * empty. Do it for every frame you are done with when reading fast (as with
   * WebCodecs frames); frames left to the collector are handed back later, and
   * while 24 of one device are held the next ones are copies. Calling it again
   * does nothing. Not while an asynchronous operation still reads the planes.
   */
  close(): void;
}

/**
 * A picture from `track.readFrame()` / `frames()` (and `ImageCapture.grabFrame()`):
 * `planes` are Y, U, V for I420; Y, UV for NV12; one plane for packed formats
 * and MJPEG. (Not the WebCodecs `VideoFrame` class, which is exported as such.)
 */
export interface RawVideoFrame extends FrameBase {
  readonly kind: 'video';
  readonly format: PixelFormat;
  readonly width: number;
  readonly height: number;
  /** Bytes per row of each plane. */
  readonly strides: number[];
}

/** A chunk of interleaved audio (10 ms by default); `planes[0]` holds the samples' bytes. */
export interface AudioFrame extends FrameBase {
  readonly kind: 'audio';
  readonly format: SampleFormat;
  readonly sampleRate: number;
  readonly channels: number;
  /** Sample frames (samples per channel) in the chunk; the last chunk of a file that ends holds just what was left. */
  readonly sampleCount: number;
  /** The samples, interleaved: a view of `planes[0]` (no copy). */
  readonly samples: Float32Array | Int16Array;
}

export type Frame = RawVideoFrame | AudioFrame;

export interface ReadFrameOptions {
  /** Milliseconds to wait for a frame (0 to 86400000); absent: wait until one comes. */
  timeout?: number;
}

export interface TrackStats {
  framesDelivered: number;
  framesDropped: number;
}

// ---- events ----

export interface MediaStreamTrackEventMap {
  ended: Event;
  mute: Event;
  unmute: Event;
}

export interface MediaStreamEventMap {
  addtrack: MediaStreamTrackEvent;
  removetrack: MediaStreamTrackEvent;
}

export interface MediaStreamTrackEventInit extends EventInit {
  track: MediaStreamTrack;
}

/**
 * The `addtrack` / `removetrack` event of a MediaStream. Only a user agent
 * fires them, when it changes a stream's tracks by itself (never for
 * addTrack()/removeTrack()); getUserMedia() streams never change that way,
 * so this library never fires them. Constructible, as in a browser.
 */
export declare class MediaStreamTrackEvent extends Event {
  /** Both arguments and `eventInitDict.track` are required (TypeError otherwise). */
  constructor(type: string, eventInitDict: MediaStreamTrackEventInit);
  readonly track: MediaStreamTrack;
}

export interface DeviceChangeEventInit extends EventInit {
  devices?: Iterable<MediaDeviceInfo>;
  userInsertedDevices?: Iterable<MediaDeviceInfo>;
}

/**
 * The `devicechange` event of MediaDevices: `devices` is the list
 * enumerateDevices() gives now, `userInsertedDevices` those of them that were
 * not in the previous event's list (or, for the first event, the list when
 * the first listener was added). Both frozen, the same array on every read.
 */
export declare class DeviceChangeEvent extends Event {
  constructor(type: string, eventInitDict?: DeviceChangeEventInit);
  readonly devices: ReadonlyArray<MediaDeviceInfo>;
  readonly userInsertedDevices: ReadonlyArray<MediaDeviceInfo>;
}

/** A listener function or object, as EventTarget takes. */
export type Listener<E extends Event = Event> = ((event: E) => void) | { handleEvent(event: E): void };

// ---- the interfaces ----

/**
 * One kind of media from one device. An EventTarget: `ended` fires (once)
 * when the source ends by itself (device lost, driver failure) — never after
 * `stop()`; `mute`/`unmute` when the source cannot / can again deliver.
 * Listeners run on the JS thread. A live track with `ended`/`mute`/`unmute`
 * listeners keeps the process alive; a stopped or ended one never does.
 */
export declare class MediaStreamTrack extends EventTarget {
  /** Not constructible: tracks come from getUserMedia() and clone(). */
  private constructor();
  /** A 36-character UUID. */
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly label: string;
  /** A disabled track delivers black pictures (Y=16, U=V=128) and silent audio. */
  enabled: boolean;
  readonly muted: boolean;
  readonly readyState: 'live' | 'ended';
  onended: ((this: MediaStreamTrack, event: Event) => any) | null;
  onmute: ((this: MediaStreamTrack, event: Event) => any) | null;
  onunmute: ((this: MediaStreamTrack, event: Event) => any) | null;
  /** Ends the track at once (no `ended` event); the device is released when no other track uses it. */
  stop(): void;
  /** A new track (new id) on the same source, with the same settings; a clone of an ended track is ended. */
  clone(): MediaStreamTrack;
  getSettings(): MediaTrackSettings;
  getCapabilities(): MediaTrackCapabilities;
  getConstraints(): MediaTrackConstraints;
  /** Rejects with OverconstrainedError, leaving the settings unchanged, when a required value is impossible. */
  applyConstraints(constraints?: MediaTrackConstraints): Promise<void>;
  /**
   * The next frame, waiting off the JS thread. Rejects with a DOMException
   * named TimeoutError after `timeout` ms, or EndedError once the track has
   * ended and no frame is left. Reads of one track settle in order.
   */
  readFrame(options?: ReadFrameOptions): Promise<Frame>;
  /** Every frame from now on; the loop ends when the track ends. */
  frames(options?: ReadFrameOptions): AsyncGenerator<Frame, void, undefined>;
  /** Not in the specification: frames delivered and dropped (queue full) so far. */
  getStats(): TrackStats;
  addEventListener<K extends keyof MediaStreamTrackEventMap>(
    type: K,
    listener: Listener<MediaStreamTrackEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof MediaStreamTrackEventMap>(
    type: K,
    listener: Listener<MediaStreamTrackEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
}

/** A set of tracks (and the obsolete LocalMediaStream's stop()). */
export declare class MediaStream extends EventTarget {
  /** No tracks, inactive. */
  constructor();
  /** The same track objects as `stream`. */
  constructor(stream: MediaStream);
  /** Those tracks (each once). */
  constructor(tracks: Iterable<MediaStreamTrack>);
  /** A 36-character UUID. */
  readonly id: string;
  /** True while at least one track is not ended. */
  readonly active: boolean;
  /** Never fired by this library (only a user agent fires them, and never for addTrack()/removeTrack()). */
  onaddtrack: ((this: MediaStream, event: MediaStreamTrackEvent) => any) | null;
  onremovetrack: ((this: MediaStream, event: MediaStreamTrackEvent) => any) | null;
  getTracks(): MediaStreamTrack[];
  getAudioTracks(): MediaStreamTrack[];
  getVideoTracks(): MediaStreamTrack[];
  /** The same object each time, or null. */
  getTrackById(trackId: string): MediaStreamTrack | null;
  /** Does nothing when the track is already present. */
  addTrack(track: MediaStreamTrack): void;
  /** Does nothing when the track is absent. */
  removeTrack(track: MediaStreamTrack): void;
  /** A new stream of clones of every track. */
  clone(): MediaStream;
  /** LocalMediaStream.stop(): stops every track. */
  stop(): void;
  addEventListener<K extends keyof MediaStreamEventMap>(
    type: K,
    listener: Listener<MediaStreamEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof MediaStreamEventMap>(
    type: K,
    listener: Listener<MediaStreamEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
}

// ---- photos (W3C MediaStream Image Capture) ----

/** What photos a camera can take (`getPhotoCapabilities()`). */
export interface PhotoCapabilities {
  redEyeReduction: RedEyeReduction;
  /** From 1 to the height the camera runs at now. */
  imageHeight: MediaSettingsRange;
  /** From 1 to the width the camera runs at now. */
  imageWidth: MediaSettingsRange;
  fillLightMode: FillLightMode[];
}

/** What `takePhoto()` is asked for; `getPhotoSettings()` gives what a photo without settings would be. */
export interface PhotoSettings {
  fillLightMode?: FillLightMode;
  /** Only one of width and height: the other keeps the camera's aspect ratio. */
  imageHeight?: number;
  imageWidth?: number;
  redEyeReduction?: boolean;
  /** Not in the specification: the photo's encoding, 'image/jpeg' (default) or 'image/png'. */
  imageType?: 'image/jpeg' | 'image/png';
}

/**
 * Photos and single pictures from a video track (W3C MediaStream Image
 * Capture). Photos and grabbed frames are the camera's next frame, waited for
 * off the JS thread; they never change the size the camera runs at, and the
 * track's own frames are not taken from it. Every method rejects with a
 * DOMException named InvalidStateError once the track has ended.
 */
export declare class ImageCapture {
  /** Throws a TypeError unless `videoTrack` is a video MediaStreamTrack. */
  constructor(videoTrack: MediaStreamTrack);
  readonly track: MediaStreamTrack;
  /**
   * A photo: a Blob of type 'image/jpeg' (or 'image/png' with `imageType`),
   * at the camera's size or the size asked for (within it; one side keeps the
   * aspect ratio). Rejects with OverconstrainedError (`constraint`
   * 'imageWidth', 'imageHeight', 'fillLightMode' or 'redEyeReduction') for
   * what the camera cannot give, TypeError for settings of the wrong type.
   */
  takePhoto(photoSettings?: PhotoSettings): Promise<Blob>;
  /**
   * The camera's next frame as a picture. A browser gives an ImageBitmap;
   * this gives a RawVideoFrame in 'RGBA' of the track's width and height:
   * `planes[0]` holds the pixels, `strides[0]` bytes per row.
   */
  grabFrame(): Promise<RawVideoFrame>;
  getPhotoCapabilities(): Promise<PhotoCapabilities>;
  getPhotoSettings(): Promise<PhotoSettings>;
}

// ---- raw frames as a browser gives them (Media Capture Transform, WebCodecs) ----

/**
 * WebCodecs pixel formats this library has: a camera's I420, NV12, RGBA,
 * BGRA; RGBX and BGRX (4 bytes per pixel, the 4th meaning nothing) for
 * frames made with `new VideoFrame(data, init)` and copyTo() conversions.
 */
export type VideoPixelFormat = 'I420' | 'NV12' | 'RGBA' | 'RGBX' | 'BGRA' | 'BGRX';

/** WebCodecs sample formats AudioData holds or copyTo() converts to. */
export type AudioSampleFormat = 'u8' | 's16' | 's32' | 'f32' | 'u8-planar' | 's16-planar' | 's32-planar' | 'f32-planar';

/** A DOMRectReadOnly (frozen object): the coded or visible rectangle of a frame. */
export interface DOMRectReadOnly {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
  toJSON(): { x: number; y: number; width: number; height: number; top: number; right: number; bottom: number; left: number };
}

export interface DOMRectInit {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
}

/** A WebCodecs VideoColorSpace: BT.601 limited range for I420/NV12, sRGB for RGBA/BGRA; all null when unknown. */
export interface VideoColorSpace {
  readonly primaries: string | null;
  readonly transfer: string | null;
  readonly matrix: string | null;
  readonly fullRange: boolean | null;
  toJSON(): { primaries: string | null; transfer: string | null; matrix: string | null; fullRange: boolean | null };
}

export interface PlaneLayout {
  offset: number;
  stride: number;
}

export interface VideoFrameCopyToOptions {
  /** A part of the coded picture (x and y even for I420/NV12); the visible rect by default. */
  rect?: DOMRectInit;
  /** Offset and stride of each plane in the destination; planes packed one after the other by default. */
  layout?: PlaneLayout[];
  /**
   * The frame's own format (a plain copy), or 'RGBA', 'RGBX', 'BGRA', 'BGRX'
   * for any frame (converted; alpha 255 when the frame has none; YUV read as
   * BT.601 limited range). Any other rejects with NotSupportedError.
   */
  format?: VideoPixelFormat;
  /** Of an RGB copy: only 'srgb' ('display-p3' rejects with NotSupportedError). */
  colorSpace?: 'srgb' | 'display-p3';
}

/** A WebCodecs VideoColorSpaceInit. */
export interface VideoColorSpaceInit {
  primaries?: 'bt709' | 'bt470bg' | 'smpte170m' | 'bt2020' | 'smpte432' | null;
  transfer?: 'bt709' | 'smpte170m' | 'iec61966-2-1' | 'linear' | 'pq' | 'hlg' | null;
  matrix?: 'rgb' | 'bt709' | 'bt470bg' | 'smpte170m' | 'bt2020-ncl' | null;
  fullRange?: boolean | null;
}

/** What a VideoFrame may carry besides its pixels (copied, as structuredClone does). */
export type VideoFrameMetadata = Record<string, unknown>;

/** The bytes `new VideoFrame(data, init)` takes: an ArrayBuffer, a SharedArrayBuffer or any view of one. */
export type AllowSharedBufferSource = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/** `new VideoFrame(frame, init)`: what the new frame changes of `frame`. */
export interface VideoFrameInit {
  /** Microseconds; the frame's by default. */
  timestamp?: number;
  /** Microseconds; the frame's by default. */
  duration?: number;
  /** 'discard' makes an RGBA/BGRA frame RGBX/BGRX. */
  alpha?: 'keep' | 'discard';
  /** Inside the coded size, x and y even for I420/NV12; the frame's by default. */
  visibleRect?: DOMRectInit;
  /** Added to the frame's (multiples of 90). */
  rotation?: number;
  flip?: boolean;
  /** Both or neither, not 0; by default the frame's display scale applied to the visible rect. */
  displayWidth?: number;
  displayHeight?: number;
  metadata?: VideoFrameMetadata;
}

/** `new VideoFrame(data, init)`: the picture `data` holds. TypeError for a missing required member. */
export interface VideoFrameBufferInit {
  format: VideoPixelFormat;
  /** Not 0. */
  codedWidth: number;
  /** Not 0. */
  codedHeight: number;
  /** Microseconds. */
  timestamp: number;
  /** Microseconds. */
  duration?: number;
  /** Where each plane of the coded picture lies in `data`; packed one after the other by default. */
  layout?: PlaneLayout[];
  /** Inside the coded size, x and y even for I420/NV12; the whole coded picture by default. */
  visibleRect?: DOMRectInit;
  /** Clockwise degrees, a multiple of 90 (others are rounded). */
  rotation?: number;
  flip?: boolean;
  /** Both or neither, not 0; the visible size by default. */
  displayWidth?: number;
  displayHeight?: number;
  /** BT.601 limited range (YUV) or sRGB (RGB) by default. */
  colorSpace?: VideoColorSpaceInit;
  /** Accepted and not detached: the constructor copies `data` anyway. */
  transfer?: ArrayBuffer[];
  metadata?: VideoFrameMetadata;
}

/**
 * The WebCodecs VideoFrame. MediaStreamTrackProcessor gives them for a video
 * track, over the camera's own memory (no copy) until close(), which gives the
 * memory back to the camera (once every frame sharing it is closed).
 * `new VideoFrame(data, init)` copies a picture into memory of its own;
 * `new VideoFrame(frame, init)` shares the memory of `frame`. The frames of
 * `track.readFrame()` / `frames()` are `RawVideoFrame`s.
 */
export declare class VideoFrame {
  /**
   * A frame holding a copy of `data`, as `init` describes it. TypeError for a
   * missing member, a zero size, an unknown format, a visible rect outside the
   * coded size or not aligned to the chroma, a bad layout, or `data` too small.
   */
  constructor(data: AllowSharedBufferSource, init: VideoFrameBufferInit);
  /** A new frame over the memory of `image` (to be closed too); InvalidStateError when `image` is closed. */
  constructor(image: VideoFrame, init?: VideoFrameInit);
  /** null for pixel formats WebCodecs has no name for (YUY2, RGB24, BGR24, MJPEG), and once closed. */
  readonly format: VideoPixelFormat | null;
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** null once closed. */
  readonly codedRect: DOMRectReadOnly | null;
  /** The part of the coded picture shown (a camera's frame: all of it); null once closed. */
  readonly visibleRect: DOMRectReadOnly | null;
  /** Clockwise degrees: 0, 90, 180 or 270. */
  readonly rotation: number;
  readonly flip: boolean;
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** Microseconds (a camera's frame: from the track's frame rate); null when unknown. */
  readonly duration: number | null;
  /** Microseconds (a camera's frame: its capture time on the library's monotonic capture clock, as track.readFrame() frames). */
  readonly timestamp: number;
  readonly colorSpace: VideoColorSpace;
  metadata(): VideoFrameMetadata;
  /** Bytes copyTo() needs; throws InvalidStateError once closed, NotSupportedError when `format` is null. */
  allocationSize(options?: VideoFrameCopyToOptions): number;
  /**
   * Copies the pixels into `destination` (converting them to `options.format`);
   * resolves to each plane's layout there. Rejects with TypeError for a bad
   * rect or layout or a destination too small, InvalidStateError once closed,
   * NotSupportedError when `format` is null or for a conversion not offered.
   */
  copyTo(destination: AllowSharedBufferSource, options?: VideoFrameCopyToOptions): Promise<PlaneLayout[]>;
  /** Another VideoFrame over the same memory (to be closed too); InvalidStateError once closed. */
  clone(): VideoFrame;
  /** Gives the frame's memory back (to the camera) now; calling it again does nothing. */
  close(): void;
}

/** The WebCodecs VideoFrame's former name here, kept for compatibility. */
export type WebCodecsVideoFrame = VideoFrame;

export interface AudioDataInit {
  format: AudioSampleFormat;
  sampleRate: number;
  numberOfFrames: number;
  numberOfChannels: number;
  /** Microseconds. */
  timestamp: number;
  data: ArrayBufferLike | ArrayBufferView;
}

export interface AudioDataCopyToOptions {
  planeIndex: number;
  frameOffset?: number;
  frameCount?: number;
  /** 'f32', 's16', 'f32-planar' or 's16-planar' (other formats: NotSupportedError); the data's own by default. */
  format?: AudioSampleFormat;
}

/**
 * WebCodecs AudioData: what MediaStreamTrackProcessor gives for an audio track
 * (interleaved 'f32' or 's16', over the microphone's own memory until
 * close()), or made from samples with `new AudioData(init)` (copied).
 */
export declare class AudioData {
  /** Copies `init.data`; formats 'f32', 's16', 'f32-planar', 's16-planar' (others: NotSupportedError). */
  constructor(init: AudioDataInit);
  /** null once closed. */
  readonly format: AudioSampleFormat | null;
  readonly sampleRate: number;
  readonly numberOfFrames: number;
  readonly numberOfChannels: number;
  /** Microseconds. */
  readonly duration: number;
  /** Capture time in microseconds. */
  readonly timestamp: number;
  /** Bytes copyTo() writes with these options; RangeError for a plane or frames beyond the data. */
  allocationSize(options: AudioDataCopyToOptions): number;
  /** Copies one plane (interleaved: plane 0 holds every channel), converting to `options.format`. */
  copyTo(destination: ArrayBufferLike | ArrayBufferView, options: AudioDataCopyToOptions): void;
  clone(): AudioData;
  /** Gives the memory back to the microphone now; calling it again does nothing. */
  close(): void;
}

export interface MediaStreamTrackProcessorInit {
  track: MediaStreamTrack;
  /**
   * Frames kept for the reader when it falls behind (older ones are closed
   * and dropped): default 1 for video, 10 for audio.
   */
  maxBufferSize?: number;
}

/**
 * A track's frames as a ReadableStream (W3C Media Capture Transform): of
 * WebCodecs VideoFrames for a video track, AudioData for an audio track.
 * Close every frame read. Cancelling the stream stops reading (the track
 * stays live); the track ending closes the stream. Throws a TypeError for no
 * track, something else than a track, or an ended track.
 */
export declare class MediaStreamTrackProcessor<T extends VideoFrame | AudioData = VideoFrame | AudioData> {
  /** `new MediaStreamTrackProcessor<VideoFrame>({track})` when the track's kind is known. */
  constructor(init: MediaStreamTrackProcessorInit);
  readonly readable: import('node:stream/web').ReadableStream<T>;
}

/**
 * A video track whose frames the program writes (W3C Media Capture
 * Transform), e.g. processed frames of a MediaStreamTrackProcessor. Its
 * `track` behaves as any track: clone(), stop(), events, and constraints that
 * crop-and-scale, decimate or convert what is written (its settings follow
 * the frames: width and height of the last one, frameRate as they arrive).
 * Each frame written is copied once into the generator's own buffers and
 * closed; writing never blocks (a full track queue drops its oldest frame).
 */
export declare class VideoTrackGenerator {
  constructor();
  /**
   * Write VideoFrames here. Closing or aborting it ends every track (`ended`
   * fires). Writing something else than an open VideoFrame rejects with
   * TypeError, as does writing once every track has ended (stopped).
   */
  readonly writable: import('node:stream/web').WritableStream<VideoFrame>;
  /** While true, frames written are dropped and the tracks are muted (`mute`/`unmute` fire). */
  muted: boolean;
  /** The generator's track (the same object each time). */
  readonly track: MediaStreamTrack;
}

/** A device, as enumerateDevices() lists it. */
export declare class MediaDeviceInfo {
  /** Not constructible: devices come from enumerateDevices(). */
  protected constructor();
  readonly deviceId: string;
  readonly kind: 'audioinput' | 'videoinput' | 'audiooutput';
  readonly label: string;
  readonly groupId: string;
  toJSON(): { deviceId: string; kind: 'audioinput' | 'videoinput' | 'audiooutput'; label: string; groupId: string };
}

/** An input device. */
export declare class InputDeviceInfo extends MediaDeviceInfo {
  private constructor();
  readonly kind: 'audioinput' | 'videoinput';
  /** What a track on this device could deliver (a new object each call). */
  getCapabilities(): MediaTrackCapabilities;
}

export interface MediaDevicesEventMap {
  devicechange: DeviceChangeEvent;
}

/**
 * `navigator.mediaDevices`. `devicechange` fires when the list of devices
 * changes; a `devicechange` listener never keeps the process alive by itself.
 */
export declare class MediaDevices extends EventTarget {
  private constructor();
  /** Called with a DeviceChangeEvent (`devices`, `userInsertedDevices`). */
  ondevicechange: ((this: MediaDevices, event: DeviceChangeEvent) => any) | null;
  /**
   * A stream with one audio and/or one video track, opened off the JS thread.
   * The promise is already rejected with a TypeError when it is returned for
   * constraints that request no kind (`{}`, both false) or are not an object;
   * otherwise it rejects with OverconstrainedError
   * when a required constraint is impossible, or a DOMException named
   * NotFoundError, NotReadableError or NotAllowedError.
   */
  getUserMedia(constraints?: MediaStreamConstraints): Promise<MediaStream>;
  /**
   * Every input device (InputDeviceInfo: microphones, then cameras), then the
   * audio outputs (MediaDeviceInfo, kind 'audiooutput': listed, never captured
   * from; with a sound server each output's monitor is an 'audioinput' of its
   * own, "Monitor of ..."), the same order on every call (new objects each call).
   */
  enumerateDevices(): Promise<Array<InputDeviceInfo | MediaDeviceInfo>>;
  getSupportedConstraints(): MediaTrackSupportedConstraints;
  addEventListener<K extends keyof MediaDevicesEventMap>(
    type: K,
    listener: Listener<MediaDevicesEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: Listener | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof MediaDevicesEventMap>(
    type: K,
    listener: Listener<MediaDevicesEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: Listener | null, options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
}

/** A required constraint that cannot be met: `name` is 'OverconstrainedError', `constraint` names it. */
export declare class OverconstrainedError extends DOMException {
  constructor(constraint: string, message?: string);
  readonly constraint: string;
}

/** The process-wide MediaDevices (what a browser calls navigator.mediaDevices). */
export declare const mediaDevices: MediaDevices;

/** The configuration document (the same in every language). */
export interface Configuration {
  /** Kinds of devices in use, in enumeration order: 'fake', 'file', 'cpal', 'nokhwa'. */
  backends?: string[];
  fake?: {
    /** 'realtime' (default, like a camera) or 'none' (as fast as frames are read). */
    pacing?: 'realtime' | 'none';
    /** How many fake cameras, or one object per camera. */
    video?:
      | number
      | { label?: string; facingMode?: string; maxWidth?: number; maxHeight?: number; maxFrameRate?: number }[];
    /** How many fake microphones, or one object per microphone. */
    audio?: number | { label?: string; toneHz?: number }[];
    /** Frequency of every fake microphone's sine, Hz. */
    toneHz?: number;
  };
  /**
   * File devices (Y4M / MJPEG video, WAV audio) that play like a camera and a
   * microphone; paths may end in '%noloop'. Without `backends`, 'file' comes first.
   */
  file?: {
    video?: string | null;
    audio?: string | null;
    /** Start again at the end (default true); false ends the tracks. */
    loop?: boolean;
    /** Frame rate of MJPEG files (default 30); overrides a Y4M header's. */
    frameRate?: number;
    pacing?: 'realtime' | 'none';
  };
  /** A denied kind fails getUserMedia() with NotAllowedError. */
  permissions?: { camera?: 'granted' | 'denied'; microphone?: 'granted' | 'denied' };
  /** Frames a track holds before the oldest is dropped (1 to 1024, default 4). */
  queueSize?: number;
}

/**
 * Replace the configuration; absent keys keep the environment's values
 * (LMS_BACKENDS, LMS_FAKE_DEVICES). Open devices keep running. Throws a
 * TypeError naming what is wrong.
 */
export declare function configure(config: Configuration): void;

/** A fake device's test controls. */
export type FakeDeviceAction =
  | 'disconnect'
  | 'reconnect'
  | 'mute'
  | 'unmute'
  | 'fail'
  | 'busy'
  | 'free'
  /** Camera control writes fail with NotReadableError until 'controls-accept'. */
  | 'controls-refuse'
  | 'controls-accept';

/** Apply a test control to a fake device (e.g. 'fake:video:0'). */
export declare function fakeDeviceControl(deviceId: string, action: FakeDeviceAction): void;

/** How often a fake device was opened and closed. */
export declare function fakeDeviceUsage(deviceId: string): { opens: number; closes: number };

/** The sequence number a fake camera painted into the picture, or null when none can be read. */
export declare function decodeSequence(frame: RawVideoFrame): number | null;

/**
 * Give the echo cancellers the audio the program plays (the far end, what its
 * speakers play): `samples` interleaved, `channels` (1 to 32, default 1) per
 * frame, at `sampleRate` Hz (8000 to 384000). Call it with what is played, as
 * it is played (at most 500 ms ahead): every track with `echoCancellation` on
 * (`true`, `'remote-only'`, `'all'`), in this process, removes it from what
 * its microphone hears; tracks with it off are not affected. Any rate and
 * channel count is converted. Synchronous: the samples are copied during the
 * call; it never waits for capture.
 *
 * Throws a TypeError naming what is wrong, with nothing rendered: `samples`
 * not a Float32Array; `sampleRate` or `channels` not an integer in range
 * (converted like WebIDL `unsigned long` / `unsigned short` with
 * [EnforceRange], and fractions refused); a length that is not a whole number
 * of frames; a sample that is NaN or infinite.
 *
 * @example
 * // 10 ms of a 440 Hz tone, mono, 48 kHz, as it goes to the speakers:
 * const tone = Float32Array.from({ length: 480 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 48000));
 * renderAudio(tone, 48000);
 */
export declare function renderAudio(samples: Float32Array, sampleRate: number, channels?: number): void;

/** The library's version. */
export declare const version: string;
