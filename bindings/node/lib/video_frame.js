'use strict';
// WebCodecs `VideoFrame`s over the library's frames (no copy): what a
// MediaStreamTrackProcessor gives for a video track. The frame's memory is the
// native frame's own (one external ArrayBuffer, see src/frame.rs); `close()`
// gives it back to the camera's pool at once (clones share it: the memory goes
// back when the last of them is closed).
//
// Pixel formats: our I420, NV12, RGBA and BGRA are the WebCodecs formats of
// the same names. YUY2, RGB24, BGR24 and MJPEG have no WebCodecs name: such a
// frame has `format` null, as WebCodecs gives for opaque frames, and
// `allocationSize()` / `copyTo()` fail with NotSupportedError (ask the track
// for `pixelFormat: 'I420'` to read the bytes).

const native = require('./binding.js');
const webidl = require('./webidl.js');

const kCreate = Symbol('create');

/** Per plane: [bytes per sample, horizontal subsampling, vertical subsampling]. */
const PLANES = {
  I420: [
    [1, 1, 1],
    [1, 2, 2],
    [1, 2, 2],
  ],
  NV12: [
    [1, 1, 1],
    [2, 2, 2],
  ],
  RGBA: [[4, 1, 1]],
  BGRA: [[4, 1, 1]],
};

const BT601 = { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false };
const SRGB = { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true };

/** A `VideoColorSpace`-like read-only object. */
function colorSpace(values) {
  const space = { ...values, toJSON: () => ({ ...values }) };
  Object.defineProperty(space, 'toJSON', { enumerable: false });
  return Object.freeze(space);
}
const NULL_SPACE = colorSpace({ primaries: null, transfer: null, matrix: null, fullRange: null });

/** A `DOMRectReadOnly`-like frozen object. */
function rect(x, y, width, height) {
  const r = { x, y, width, height, top: y, right: x + width, bottom: y + height, left: x };
  Object.defineProperty(r, 'toJSON', { value: () => ({ x, y, width, height, top: y, right: x + width, bottom: y + height, left: x }) });
  return Object.freeze(r);
}

/** Memory shared by a frame and its clones; given back when the last one closes. */
class Resource {
  constructor(data, offsets, strides, release) {
    this.data = data;
    this.offsets = offsets;
    this.strides = strides;
    this.release = release;
    this.refs = 1;
  }
  unref() {
    if (--this.refs === 0 && this.release) this.release(this.data);
  }
}

function invalidState(what) {
  return new DOMException(`${what}: the VideoFrame is closed`, 'InvalidStateError');
}

/** Bytes of any AllowSharedBufferSource, as a Uint8Array over the same memory. */
function bytesOf(destination, what) {
  if (destination instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && destination instanceof SharedArrayBuffer)) {
    return new Uint8Array(destination);
  }
  if (ArrayBuffer.isView(destination)) {
    return new Uint8Array(destination.buffer, destination.byteOffset, destination.byteLength);
  }
  throw new TypeError(`${what}: the destination must be an ArrayBuffer, a SharedArrayBuffer or an ArrayBufferView`);
}

function integerIn(value, what, max) {
  const x = Number(value);
  if (!Number.isInteger(x) || x < 0 || x > max) {
    throw new TypeError(`${what} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return x;
}

class VideoFrame {
  #resource;
  #format;
  #codedWidth;
  #codedHeight;
  #timestamp;
  #duration;
  #closed = false;
  #visibleRect = null;
  #codedRect = null;

  /**
   * Frames come from a MediaStreamTrackProcessor (or clone()); the constructor is not public.
   * `init`: {resource, format, width, height, timestamp, duration}.
   */
  constructor(token, init) {
    webidl.illegalConstructor(token, kCreate);
    webidl.brand(this, VideoFrame);
    this.#resource = init.resource;
    this.#format = Object.hasOwn(PLANES, init.format) ? init.format : null;
    this.#codedWidth = init.width;
    this.#codedHeight = init.height;
    this.#timestamp = init.timestamp;
    this.#duration = init.duration;
  }

  get format() {
    return this.#closed ? null : this.#format;
  }
  get codedWidth() {
    return this.#closed ? 0 : this.#codedWidth;
  }
  get codedHeight() {
    return this.#closed ? 0 : this.#codedHeight;
  }
  get codedRect() {
    if (this.#closed) return null;
    this.#codedRect ??= rect(0, 0, this.#codedWidth, this.#codedHeight);
    return this.#codedRect;
  }
  get visibleRect() {
    if (this.#closed) return null;
    this.#visibleRect ??= rect(0, 0, this.#codedWidth, this.#codedHeight);
    return this.#visibleRect;
  }
  get rotation() {
    return 0;
  }
  get flip() {
    return false;
  }
  get displayWidth() {
    return this.#closed ? 0 : this.#codedWidth;
  }
  get displayHeight() {
    return this.#closed ? 0 : this.#codedHeight;
  }
  /** Microseconds the frame lasts (from the track's frame rate), or null. */
  get duration() {
    return this.#duration;
  }
  /** Capture time in microseconds (the library's monotonic capture clock). */
  get timestamp() {
    return this.#timestamp;
  }
  get colorSpace() {
    if (this.#closed || this.#format === null) return NULL_SPACE;
    return this.#format === 'RGBA' || this.#format === 'BGRA' ? colorSpace(SRGB) : colorSpace(BT601);
  }

  metadata() {
    if (this.#closed) throw invalidState('VideoFrame.metadata()');
    return {};
  }

  /** Bytes copyTo() needs with these options. */
  allocationSize(options) {
    if (this.#closed) throw invalidState('VideoFrame.allocationSize()');
    return this.#layout(options, 'VideoFrame.allocationSize()').allocationSize;
  }

  /** Copy the pixels (of `options.rect`, in `options.layout`) into `destination`; resolves to the layout used. */
  copyTo(destination, options) {
    const what = 'VideoFrame.copyTo()';
    if (this.#closed) return Promise.reject(invalidState(what));
    let layout;
    let target;
    try {
      layout = this.#layout(options, what);
      target = bytesOf(destination, what);
      if (target.byteLength < layout.allocationSize) {
        throw new TypeError(`${what}: the destination has ${target.byteLength} bytes, the copy needs ${layout.allocationSize}`);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const source = new Uint8Array(this.#resource.data);
    const { offsets, strides } = this.#resource;
    for (const [i, p] of layout.planes.entries()) {
      let from = offsets[i] + p.sourceTop * strides[i] + p.sourceLeftBytes;
      let to = p.offset;
      if (strides[i] === p.sourceWidthBytes && p.stride === p.sourceWidthBytes) {
        // Whole rows, packed on both sides: one copy for the plane.
        target.set(source.subarray(from, from + p.sourceWidthBytes * p.sourceHeight), to);
        continue;
      }
      for (let row = 0; row < p.sourceHeight; row++) {
        target.set(source.subarray(from, from + p.sourceWidthBytes), to);
        from += strides[i];
        to += p.stride;
      }
    }
    return Promise.resolve(layout.planes.map((p) => ({ offset: p.offset, stride: p.stride })));
  }

  /** A new VideoFrame over the same memory; each must be closed. */
  clone() {
    if (this.#closed) throw invalidState('VideoFrame.clone()');
    this.#resource.refs++;
    return new VideoFrame(kCreate, {
      resource: this.#resource,
      format: this.#format,
      width: this.#codedWidth,
      height: this.#codedHeight,
      timestamp: this.#timestamp,
      duration: this.#duration,
    });
  }

  /** Gives the frame's memory back to the camera now (once every clone is closed too). */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#visibleRect = this.#codedRect = null;
    this.#resource.unref();
    this.#resource = null;
  }

  // WebCodecs' "Parse VideoFrameCopyToOptions" and "Compute Layout and Allocation Size".
  #layout(options, what) {
    options = webidl.dictionary(options, `${what}: options`);
    if (this.#format === null) {
      throw new DOMException(
        `${what}: this frame's pixel format has no WebCodecs name (format is null); ` +
          `ask the track for pixelFormat 'I420' (or NV12, RGBA, BGRA) to read its bytes`,
        'NotSupportedError',
      );
    }
    if (options.format !== undefined && options.format !== this.#format) {
      throw new DOMException(
        `${what}: converting ${this.#format} to ${String(options.format)} is not supported; copy in the frame's own format`,
        'NotSupportedError',
      );
    }
    const planes = PLANES[this.#format];
    let x = 0;
    let y = 0;
    let width = this.#codedWidth;
    let height = this.#codedHeight;
    if (options.rect !== undefined) {
      const r = webidl.dictionary(options.rect, `${what}: options.rect`);
      x = integerIn(r.x ?? 0, `${what}: rect.x`, this.#codedWidth);
      y = integerIn(r.y ?? 0, `${what}: rect.y`, this.#codedHeight);
      width = integerIn(r.width ?? 0, `${what}: rect.width`, this.#codedWidth);
      height = integerIn(r.height ?? 0, `${what}: rect.height`, this.#codedHeight);
      if (width === 0 || height === 0) throw new TypeError(`${what}: rect is empty`);
      if (x + width > this.#codedWidth || y + height > this.#codedHeight) {
        throw new TypeError(`${what}: rect goes beyond the ${this.#codedWidth}x${this.#codedHeight} frame`);
      }
      for (const [, sw, sh] of planes) {
        if (x % sw !== 0 || y % sh !== 0) {
          throw new TypeError(`${what}: rect.x and rect.y must be even for ${this.#format} (chroma is subsampled)`);
        }
      }
    }
    let layout = null;
    if (options.layout !== undefined) {
      if (options.layout === null || typeof options.layout[Symbol.iterator] !== 'function') {
        throw new TypeError(`${what}: options.layout must be a sequence of {offset, stride}`);
      }
      layout = [...options.layout];
      if (layout.length !== planes.length) {
        throw new TypeError(`${what}: ${this.#format} has ${planes.length} planes, layout gives ${layout.length}`);
      }
    }
    const out = [];
    let allocationSize = 0;
    for (const [i, [bytes, sw, sh]] of planes.entries()) {
      const p = {
        sourceTop: y / sh,
        sourceHeight: Math.ceil(height / sh),
        sourceLeftBytes: (x / sw) * bytes,
        sourceWidthBytes: Math.ceil(width / sw) * bytes,
        offset: allocationSize,
        stride: 0,
      };
      p.stride = p.sourceWidthBytes;
      if (layout !== null) {
        const plane = webidl.dictionary(layout[i], `${what}: layout[${i}]`);
        p.offset = integerIn(plane.offset ?? 0, `${what}: layout[${i}].offset`, 2 ** 32 - 1);
        p.stride = integerIn(plane.stride ?? 0, `${what}: layout[${i}].stride`, 2 ** 32 - 1);
        if (p.stride < p.sourceWidthBytes) {
          throw new TypeError(`${what}: layout[${i}].stride ${p.stride} is less than a row (${p.sourceWidthBytes} bytes)`);
        }
      }
      const end = p.offset + p.stride * p.sourceHeight;
      for (const [j, q] of out.entries()) {
        if (p.offset < q.end && q.offset < end) throw new TypeError(`${what}: planes ${j} and ${i} overlap in layout`);
      }
      p.end = end;
      out.push(p);
      allocationSize = Math.max(allocationSize, end);
    }
    return { planes: out, allocationSize };
  }
}

webidl.defineInterface(VideoFrame, {
  length: 1, // WebCodecs' constructor takes an image or a buffer (not offered here)
  attributes: [
    'format',
    'codedWidth',
    'codedHeight',
    'codedRect',
    'visibleRect',
    'rotation',
    'flip',
    'displayWidth',
    'displayHeight',
    'duration',
    'timestamp',
    'colorSpace',
  ],
  operations: { metadata: 0, allocationSize: 0, copyTo: { required: 1, promise: true }, clone: 0, close: 0 },
});

/**
 * The VideoFrame of a raw frame from the native module; `duration` in
 * microseconds or null. Closing it (and its clones) releases the native frame.
 */
function videoFrameOf(raw, duration) {
  const resource = new Resource(raw.data, raw.offsets, raw.strides, native.releaseFrame);
  return new VideoFrame(kCreate, {
    resource,
    format: raw.format,
    width: raw.width,
    height: raw.height,
    timestamp: raw.timestamp,
    duration,
  });
}

module.exports = { VideoFrame, videoFrameOf, bytesOf };
