'use strict';
// WebCodecs `VideoFrame`, exported as `lms.VideoFrame`. Two kinds of memory:
// - a MediaStreamTrackProcessor's frames are over the library's frames (no
//   copy): the frame's memory is the native frame's own (one external
//   ArrayBuffer, see src/frame.rs); `close()` gives it back to the camera's
//   pool at once (clones share it: the memory goes back when the last of them
//   is closed);
// - `new VideoFrame(data, init)` copies the bytes given into memory of the
//   frame's own (planes packed), as WebCodecs does; `close()` drops it.
// `new VideoFrame(frame, init)` is a new frame over the memory of `frame`
// (as clone() is), with its own timestamp, duration, visible rect, display
// size, rotation and flip.
//
// Pixel formats: our I420, NV12, RGBA and BGRA are the WebCodecs formats of
// the same names; RGBX and BGRX (constructed frames) are stored as RGBA and
// BGRA memory whose 4th byte means nothing. YUY2, RGB24, BGR24 and MJPEG have
// no WebCodecs name: such a frame has `format` null, as WebCodecs gives for
// opaque frames, and `allocationSize()` / `copyTo()` fail with
// NotSupportedError (ask the track for `pixelFormat: 'I420'` to read the
// bytes). copyTo() converts any frame to RGBA, RGBX, BGRA or BGRX (natively,
// BT.601 limited range for YUV, as everywhere in the library).

const native = require('./binding.js');
const webidl = require('./webidl.js');
const { call } = require('./errors.js');

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
  RGBX: [[4, 1, 1]],
  BGRA: [[4, 1, 1]],
  BGRX: [[4, 1, 1]],
};

/** The memory layout (a format the native side knows) each format is stored in. */
const STORAGE = { I420: 'I420', NV12: 'NV12', RGBA: 'RGBA', RGBX: 'RGBA', BGRA: 'BGRA', BGRX: 'BGRA' };

/** Formats copyTo() converts any frame to. */
const RGB_FORMATS = new Set(['RGBA', 'RGBX', 'BGRA', 'BGRX']);

/** Every WebCodecs VideoPixelFormat (those not in PLANES are NotSupportedError here). */
const VIDEO_PIXEL_FORMATS = new Set([
  'I420', 'I420P10', 'I420P12', 'I420A', 'I420AP10', 'I420AP12',
  'I422', 'I422P10', 'I422P12', 'I422A', 'I422AP10', 'I422AP12',
  'I444', 'I444P10', 'I444P12', 'I444A', 'I444AP10', 'I444AP12',
  'NV12', 'RGBA', 'RGBX', 'BGRA', 'BGRX',
]);

const BT601 = { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false };
const SRGB = { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true };
const NULL_SPACE_VALUES = { primaries: null, transfer: null, matrix: null, fullRange: null };

const primaries = webidl.enumeration(['bt709', 'bt470bg', 'smpte170m', 'bt2020', 'smpte432'], 'VideoColorPrimaries');
const transfers = webidl.enumeration(
  ['bt709', 'smpte170m', 'iec61966-2-1', 'linear', 'pq', 'hlg'],
  'VideoTransferCharacteristics',
);
const matrices = webidl.enumeration(['rgb', 'bt709', 'bt470bg', 'smpte170m', 'bt2020-ncl'], 'VideoMatrixCoefficients');
const predefinedColorSpace = webidl.enumeration(['srgb', 'display-p3'], 'PredefinedColorSpace');
const alphaOption = webidl.enumeration(['keep', 'discard'], 'AlphaOption');

const enforceUnsignedLong = webidl.integer(32, false, { enforceRange: true });
const enforceLongLong = webidl.integer(64, true, { enforceRange: true });
const enforceUnsignedLongLong = webidl.integer(64, false, { enforceRange: true });

/** A `VideoColorSpace`-like read-only object. */
function colorSpace(values) {
  const space = { ...values, toJSON: () => ({ ...values }) };
  Object.defineProperty(space, 'toJSON', { enumerable: false });
  return Object.freeze(space);
}

/** A `DOMRectReadOnly`-like frozen object. */
function rect(x, y, width, height) {
  const r = { x, y, width, height, top: y, right: x + width, bottom: y + height, left: x };
  Object.defineProperty(r, 'toJSON', { value: () => ({ x, y, width, height, top: y, right: x + width, bottom: y + height, left: x }) });
  return Object.freeze(r);
}

/** Memory shared by a frame and its clones; given back when the last one closes (`release` null: JS-owned memory). */
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

function notSupported(message) {
  return new DOMException(message, 'NotSupportedError');
}

function isBufferSource(value) {
  return (
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) ||
    ArrayBuffer.isView(value)
  );
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

/** `value` as a dictionary member of type [EnforceRange] `convert`, or `fallback` when absent. */
function member(dict, key, convert, what, fallback) {
  const value = dict[key];
  return value === undefined ? fallback : convert(value, `${what}.${key}`);
}

function requireMembers(dict, keys, what) {
  for (const key of keys) {
    if (dict[key] === undefined) throw new TypeError(`${what}: required member ${key} is undefined`);
  }
}

/** A VideoPixelFormat: TypeError for a value WebCodecs does not have, NotSupportedError for one not supported here. */
function pixelFormat(value, what) {
  const format = webidl.DOMString(value);
  if (!VIDEO_PIXEL_FORMATS.has(format)) {
    throw new TypeError(`${what}: '${format}' is not a VideoPixelFormat (I420, NV12, RGBA, RGBX, BGRA, BGRX are supported)`);
  }
  if (!Object.hasOwn(PLANES, format)) {
    throw notSupported(`${what}: format '${format}' is not supported (I420, NV12, RGBA, RGBX, BGRA, BGRX are)`);
  }
  return format;
}

/**
 * WebCodecs' "Parse Visible Rect" for a DOMRectInit: integers, not empty,
 * inside the coded size, aligned to the subsampling of `format` (if known).
 */
function parseRect(init, codedWidth, codedHeight, format, what) {
  init = webidl.dictionary(init, what);
  const values = {};
  for (const key of ['x', 'y', 'width', 'height']) {
    const v = init[key] === undefined ? 0 : webidl.unrestrictedDouble(init[key], `${what}.${key}`);
    if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v)) {
      throw new TypeError(`${what}.${key} must be a non-negative integer, got ${String(init[key])}`);
    }
    values[key] = v;
  }
  const { x, y, width, height } = values;
  if (width === 0 || height === 0) throw new TypeError(`${what} is empty (${width}x${height})`);
  if (x + width > codedWidth || y + height > codedHeight) {
    throw new TypeError(`${what} (${width}x${height} at ${x},${y}) goes beyond the ${codedWidth}x${codedHeight} coded size`);
  }
  for (const [, sw, sh] of PLANES[format] ?? []) {
    if (x % sw !== 0 || y % sh !== 0) {
      throw new TypeError(`${what}: x and y must be even for ${format} (chroma is subsampled), got ${x},${y}`);
    }
  }
  return { x, y, width, height };
}

/**
 * WebCodecs' "Compute Layout and Allocation Size": where each plane of the
 * `r` part of a `format` picture lies, packed or as `layoutOption` (a
 * sequence of PlaneLayout) says; TypeError for a wrong plane count, a stride
 * shorter than a row, overlapping planes or a size beyond 2^32 - 1.
 */
function computeLayout(format, r, layoutOption, what) {
  const planes = PLANES[format];
  let layout = null;
  if (layoutOption !== undefined) {
    if (layoutOption === null || typeof layoutOption !== 'object' || typeof layoutOption[Symbol.iterator] !== 'function') {
      throw new TypeError(`${what}: layout must be a sequence of {offset, stride}`);
    }
    layout = [...layoutOption];
    if (layout.length !== planes.length) {
      throw new TypeError(`${what}: ${format} has ${planes.length} plane${planes.length === 1 ? '' : 's'}, layout gives ${layout.length}`);
    }
  }
  const out = [];
  let allocationSize = 0;
  for (const [i, [bytes, sw, sh]] of planes.entries()) {
    const p = {
      sourceTop: r.y / sh,
      sourceHeight: Math.ceil(r.height / sh),
      sourceLeftBytes: (r.x / sw) * bytes,
      sourceWidthBytes: Math.ceil(r.width / sw) * bytes,
      offset: allocationSize,
      stride: 0,
      end: 0,
    };
    p.stride = p.sourceWidthBytes;
    if (layout !== null) {
      const plane = webidl.dictionary(layout[i], `${what}: layout[${i}]`);
      requireMembers(plane, ['offset', 'stride'], `${what}: layout[${i}]`);
      p.offset = enforceUnsignedLong(plane.offset, `${what}: layout[${i}].offset`);
      p.stride = enforceUnsignedLong(plane.stride, `${what}: layout[${i}].stride`);
      if (p.stride < p.sourceWidthBytes) {
        throw new TypeError(`${what}: layout[${i}].stride ${p.stride} is less than a row (${p.sourceWidthBytes} bytes)`);
      }
    }
    p.end = p.offset + p.stride * p.sourceHeight;
    if (p.end > 2 ** 32 - 1) throw new TypeError(`${what}: plane ${i} ends beyond 2^32 - 1 bytes`);
    for (const [j, q] of out.entries()) {
      if (p.offset < q.end && q.offset < p.end) throw new TypeError(`${what}: planes ${j} and ${i} overlap in layout`);
    }
    out.push(p);
    allocationSize = Math.max(allocationSize, p.end);
  }
  return { planes: out, allocationSize };
}

/** Copy `rows` rows of `rowBytes` bytes from `source` (at `from`, `fromStride` apart) into `target`. */
function copyRows(source, from, fromStride, target, to, toStride, rowBytes, rows) {
  if (fromStride === rowBytes && toStride === rowBytes) {
    target.set(source.subarray(from, from + rowBytes * rows), to);
    return;
  }
  for (let row = 0; row < rows; row++) {
    target.set(source.subarray(from, from + rowBytes), to);
    from += fromStride;
    to += toStride;
  }
}

/** WebCodecs' "Parse Rotation": the nearest multiple of 90 (ties up), in [0, 360). */
function parseRotation(value, what) {
  const rotation = webidl.double(value, what);
  const aligned = Math.floor(rotation / 90 + 0.5) * 90;
  return aligned - Math.floor(aligned / 360) * 360;
}

/** A VideoColorSpaceInit as the values of a VideoColorSpace (absent members null). */
function parseColorSpace(init, what) {
  init = webidl.dictionary(init, what);
  const nullable = (key, convert) => (init[key] === undefined || init[key] === null ? null : convert(init[key], `${what}.${key}`));
  return {
    primaries: nullable('primaries', primaries),
    transfer: nullable('transfer', transfers),
    matrix: nullable('matrix', matrices),
    fullRange: nullable('fullRange', webidl.boolean),
  };
}

function copyMetadata(metadata) {
  return structuredClone(metadata);
}

const swaps = (rotation) => rotation === 90 || rotation === 270;

/** Set in VideoFrame's static block: see frameMemory(). */
let memoryOf;

class VideoFrame {
  #resource = null;
  #format = null;
  #codedWidth = 0;
  #codedHeight = 0;
  #visible = null; // {x, y, width, height}
  #displayWidth = 0;
  #displayHeight = 0;
  #timestamp = 0;
  #duration = null;
  #rotation = 0;
  #flip = false;
  #colorSpace = null; // values given, or null: from the format
  #metadata = {};
  #closed = false;
  #visibleRect = null;
  #codedRect = null;

  /**
   * `new VideoFrame(data, init)`: a frame of its own holding a copy of `data`
   * (an AllowSharedBufferSource) as `init` (a VideoFrameBufferInit) describes.
   * `new VideoFrame(frame, init)`: a new frame over the memory of `frame`
   * (as clone()) with `init` (a VideoFrameInit) overriding its timestamp,
   * duration, visible rect, display size, rotation and flip.
   * (The processor's frames and clone() come through a private token.)
   */
  constructor(source, init) {
    webidl.brand(this, VideoFrame);
    if (source === kCreate) {
      this.#assign(init);
      return;
    }
    const what = "Failed to construct 'VideoFrame'";
    webidl.requireArguments(arguments.length, 1, what);
    if (webidl.implementsInterface(source, VideoFrame)) {
      this.#initFromFrame(source, init, what);
    } else if (isBufferSource(source)) {
      this.#initFromBuffer(source, init, what);
    } else {
      throw new TypeError(
        `${what}: the first argument must be a VideoFrame, an ArrayBuffer, a SharedArrayBuffer or an ArrayBufferView`,
      );
    }
  }

  /** Take every field of `state` (the private constructor's). */
  #assign(state) {
    this.#resource = state.resource;
    this.#format = Object.hasOwn(PLANES, state.format) ? state.format : null;
    this.#codedWidth = state.codedWidth;
    this.#codedHeight = state.codedHeight;
    this.#visible = state.visible ?? { x: 0, y: 0, width: state.codedWidth, height: state.codedHeight };
    this.#rotation = state.rotation ?? 0;
    this.#flip = state.flip ?? false;
    const [w, h] = swaps(this.#rotation) ? [this.#visible.height, this.#visible.width] : [this.#visible.width, this.#visible.height];
    this.#displayWidth = state.displayWidth ?? w;
    this.#displayHeight = state.displayHeight ?? h;
    this.#timestamp = state.timestamp;
    this.#duration = state.duration ?? null;
    this.#colorSpace = state.colorSpace ?? null;
    this.#metadata = state.metadata ?? {};
  }

  // The display size of a VideoFrameInit / VideoFrameBufferInit: both or neither, not 0.
  static #displaySize(init, what) {
    const displayWidth = member(init, 'displayWidth', enforceUnsignedLong, `${what}: init`, undefined);
    const displayHeight = member(init, 'displayHeight', enforceUnsignedLong, `${what}: init`, undefined);
    if ((displayWidth === undefined) !== (displayHeight === undefined)) {
      throw new TypeError(`${what}: init.displayWidth and init.displayHeight must be given together`);
    }
    if (displayWidth === 0 || displayHeight === 0) {
      throw new TypeError(`${what}: init.displayWidth and init.displayHeight must not be 0`);
    }
    return [displayWidth, displayHeight];
  }

  #initFromBuffer(data, init, what) {
    const source = bytesOf(data, what);
    init = webidl.dictionary(init, `${what}: init`);
    requireMembers(init, ['format', 'codedWidth', 'codedHeight', 'timestamp'], `${what}: init`);
    const format = pixelFormat(init.format, `${what}: init.format`);
    const codedWidth = enforceUnsignedLong(init.codedWidth, `${what}: init.codedWidth`);
    const codedHeight = enforceUnsignedLong(init.codedHeight, `${what}: init.codedHeight`);
    if (codedWidth === 0 || codedHeight === 0) {
      throw new TypeError(`${what}: init.codedWidth and init.codedHeight must not be 0 (got ${codedWidth}x${codedHeight})`);
    }
    const timestamp = enforceLongLong(init.timestamp, `${what}: init.timestamp`);
    const duration = member(init, 'duration', enforceUnsignedLongLong, `${what}: init`, null);
    const visible =
      init.visibleRect === undefined
        ? { x: 0, y: 0, width: codedWidth, height: codedHeight }
        : parseRect(init.visibleRect, codedWidth, codedHeight, format, `${what}: init.visibleRect`);
    const [displayWidth, displayHeight] = VideoFrame.#displaySize(init, what);
    const rotation = init.rotation === undefined ? 0 : parseRotation(init.rotation, `${what}: init.rotation`);
    const flip = init.flip === undefined ? false : webidl.boolean(init.flip);
    const space = init.colorSpace === undefined ? null : parseColorSpace(init.colorSpace, `${what}: init.colorSpace`);
    const metadata = init.metadata === undefined ? {} : copyMetadata(webidl.dictionary(init.metadata, `${what}: init.metadata`));
    if (init.transfer !== undefined && (init.transfer === null || typeof init.transfer[Symbol.iterator] !== 'function')) {
      throw new TypeError(`${what}: init.transfer must be a sequence of ArrayBuffers`);
    }
    // `data` holds the coded picture (as browsers read it): `layout`, or planes packed.
    const coded = { x: 0, y: 0, width: codedWidth, height: codedHeight };
    const given = computeLayout(format, coded, init.layout, `${what}: init`);
    if (source.byteLength < given.allocationSize) {
      throw new TypeError(
        `${what}: data has ${source.byteLength} bytes, a ${codedWidth}x${codedHeight} ${format} frame ` +
          `${init.layout === undefined ? '' : 'in this layout '}needs ${given.allocationSize}`,
      );
    }
    // A copy of our own, planes packed (init.transfer is not detached: we copy anyway).
    const packed = computeLayout(format, coded, undefined, what);
    const memory = new ArrayBuffer(packed.allocationSize);
    const target = new Uint8Array(memory);
    for (const [i, p] of packed.planes.entries()) {
      const g = given.planes[i];
      copyRows(source, g.offset, g.stride, target, p.offset, p.stride, p.sourceWidthBytes, p.sourceHeight);
    }
    const resource = new Resource(
      memory,
      packed.planes.map((p) => p.offset),
      packed.planes.map((p) => p.stride),
      null,
    );
    this.#assign({
      resource,
      format,
      codedWidth,
      codedHeight,
      visible,
      displayWidth,
      displayHeight,
      timestamp,
      duration,
      rotation,
      flip,
      colorSpace: space,
      metadata,
    });
  }

  #initFromFrame(other, init, what) {
    if (other.#closed) throw invalidState(what);
    init = webidl.dictionary(init, `${what}: init`);
    const alpha = init.alpha === undefined ? 'keep' : alphaOption(init.alpha, `${what}: init.alpha`);
    let format = other.#format;
    if (alpha === 'discard') format = { RGBA: 'RGBX', BGRA: 'BGRX' }[format] ?? format;
    const visible =
      init.visibleRect === undefined
        ? other.#visible
        : parseRect(init.visibleRect, other.#codedWidth, other.#codedHeight, other.#format, `${what}: init.visibleRect`);
    let [displayWidth, displayHeight] = VideoFrame.#displaySize(init, what);
    const timestamp = member(init, 'timestamp', enforceLongLong, `${what}: init`, other.#timestamp);
    const duration = member(init, 'duration', enforceUnsignedLongLong, `${what}: init`, other.#duration);
    // WebCodecs' "Add Rotations"; flips combine.
    const rotation = init.rotation === undefined ? 0 : parseRotation(init.rotation, `${what}: init.rotation`);
    const combined = other.#flip ? other.#rotation - rotation : other.#rotation + rotation;
    const newRotation = combined - Math.floor(combined / 360) * 360;
    const flip = other.#flip !== (init.flip === undefined ? false : webidl.boolean(init.flip));
    if (displayWidth === undefined) {
      // The other frame's display scale, applied to the new visible rect (sizes before rotation).
      const [ow, oh] = swaps(other.#rotation)
        ? [other.#displayHeight, other.#displayWidth]
        : [other.#displayWidth, other.#displayHeight];
      const w = Math.round((visible.width * ow) / other.#visible.width);
      const h = Math.round((visible.height * oh) / other.#visible.height);
      [displayWidth, displayHeight] = swaps(newRotation) ? [h, w] : [w, h];
    }
    const resource = other.#resource;
    resource.refs++;
    this.#assign({
      resource,
      format,
      codedWidth: other.#codedWidth,
      codedHeight: other.#codedHeight,
      visible,
      displayWidth,
      displayHeight,
      timestamp,
      duration,
      rotation: newRotation,
      flip,
      colorSpace: other.#colorSpace,
      metadata: copyMetadata(other.#metadata),
    });
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
    const v = this.#visible;
    this.#visibleRect ??= rect(v.x, v.y, v.width, v.height);
    return this.#visibleRect;
  }
  /** Clockwise degrees to turn the picture for display: 0, 90, 180 or 270. */
  get rotation() {
    return this.#closed ? 0 : this.#rotation;
  }
  get flip() {
    return this.#closed ? false : this.#flip;
  }
  get displayWidth() {
    return this.#closed ? 0 : this.#displayWidth;
  }
  get displayHeight() {
    return this.#closed ? 0 : this.#displayHeight;
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
    if (this.#closed || this.#format === null) return colorSpace(NULL_SPACE_VALUES);
    if (this.#colorSpace !== null) return colorSpace(this.#colorSpace);
    return RGB_FORMATS.has(this.#format) ? colorSpace(SRGB) : colorSpace(BT601);
  }

  metadata() {
    if (this.#closed) throw invalidState('VideoFrame.metadata()');
    return copyMetadata(this.#metadata);
  }

  /** Bytes copyTo() needs with these options. */
  allocationSize(options) {
    if (this.#closed) throw invalidState('VideoFrame.allocationSize()');
    return this.#copyOptions(options, 'VideoFrame.allocationSize()').layout.allocationSize;
  }

  /**
   * Copy the pixels (of `options.rect`, in `options.layout`, converted to
   * `options.format`) into `destination`; resolves to the layout used.
   */
  copyTo(destination, options) {
    const what = 'VideoFrame.copyTo()';
    if (this.#closed) return Promise.reject(invalidState(what));
    let parsed;
    let target;
    try {
      parsed = this.#copyOptions(options, what);
      target = bytesOf(destination, what);
      if (target.byteLength < parsed.layout.allocationSize) {
        throw new TypeError(`${what}: the destination has ${target.byteLength} bytes, the copy needs ${parsed.layout.allocationSize}`);
      }
      this.#copy(target, parsed);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(parsed.layout.planes.map((p) => ({ offset: p.offset, stride: p.stride })));
  }

  #copy(target, { format, rect: r, layout }) {
    const source = new Uint8Array(this.#resource.data);
    const { offsets, strides } = this.#resource;
    if (STORAGE[format] === STORAGE[this.#format]) {
      // The same memory layout: the rows as they are.
      for (const [i, p] of layout.planes.entries()) {
        const from = offsets[i] + p.sourceTop * strides[i] + p.sourceLeftBytes;
        copyRows(source, from, strides[i], target, p.offset, p.stride, p.sourceWidthBytes, p.sourceHeight);
      }
    } else {
      // Converted natively, packed; then placed as the layout says.
      const from = computeLayout(this.#format, r, undefined, 'VideoFrame.copyTo()').planes.map(
        (p, i) => offsets[i] + p.sourceTop * strides[i] + p.sourceLeftBytes,
      );
      const data = this.#resource.data;
      const converted = call(() =>
        native.convertPicture(
          STORAGE[this.#format],
          r.width,
          r.height,
          Buffer.from(data, 0, data.byteLength),
          from,
          strides,
          STORAGE[format],
        ),
      );
      const [p] = layout.planes;
      copyRows(converted, 0, p.sourceWidthBytes, target, p.offset, p.stride, p.sourceWidthBytes, p.sourceHeight);
    }
    // RGBX/BGRX bytes mean nothing in their 4th byte: opaque when copied with alpha.
    if ((this.#format === 'RGBX' || this.#format === 'BGRX') && (format === 'RGBA' || format === 'BGRA')) {
      const [p] = layout.planes;
      for (let row = 0; row < p.sourceHeight; row++) {
        const start = p.offset + row * p.stride;
        for (let i = start + 3; i < start + p.sourceWidthBytes; i += 4) target[i] = 255;
      }
    }
  }

  /** A new VideoFrame over the same memory; each must be closed. */
  clone() {
    if (this.#closed) throw invalidState('VideoFrame.clone()');
    this.#resource.refs++;
    const copy = new VideoFrame(kCreate, {
      resource: this.#resource,
      format: this.#format,
      codedWidth: this.#codedWidth,
      codedHeight: this.#codedHeight,
      visible: this.#visible,
      displayWidth: this.#displayWidth,
      displayHeight: this.#displayHeight,
      timestamp: this.#timestamp,
      duration: this.#duration,
      rotation: this.#rotation,
      flip: this.#flip,
      colorSpace: this.#colorSpace,
      metadata: copyMetadata(this.#metadata),
    });
    return copy;
  }

  /** Gives the frame's memory back (to the camera) now, once every frame sharing it is closed too. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#visibleRect = this.#codedRect = null;
    this.#metadata = {};
    this.#resource.unref();
    this.#resource = null;
  }

  // WebCodecs' "Parse VideoFrameCopyToOptions": the target format, the rect, the layout.
  #copyOptions(options, what) {
    options = webidl.dictionary(options, `${what}: options`);
    if (this.#format === null) {
      throw notSupported(
        `${what}: this frame's pixel format has no WebCodecs name (format is null); ` +
          `ask the track for pixelFormat 'I420' (or NV12, RGBA, BGRA) to read its bytes`,
      );
    }
    let format = this.#format;
    if (options.format !== undefined) {
      const wanted = webidl.DOMString(options.format);
      if (!VIDEO_PIXEL_FORMATS.has(wanted)) throw new TypeError(`${what}: options.format '${wanted}' is not a VideoPixelFormat`);
      if (wanted !== this.#format && !RGB_FORMATS.has(wanted)) {
        throw notSupported(
          `${what}: converting ${this.#format} to ${wanted} is not supported; ` +
            `copy in the frame's own format or convert to RGBA, RGBX, BGRA or BGRX`,
        );
      }
      format = wanted;
    }
    if (options.colorSpace !== undefined) {
      const space = predefinedColorSpace(options.colorSpace, `${what}: options.colorSpace`);
      if (space !== 'srgb' && RGB_FORMATS.has(format)) {
        throw notSupported(`${what}: colorSpace '${space}' is not supported; only 'srgb' is`);
      }
    }
    const r =
      options.rect === undefined
        ? this.#visible
        : parseRect(options.rect, this.#codedWidth, this.#codedHeight, this.#format, `${what}: options.rect`);
    return { format, rect: r, layout: computeLayout(format, r, options.layout, `${what}: options`) };
  }

  static {
    memoryOf = (frame) => {
      if (frame === null || typeof frame !== 'object' || !(#resource in frame)) {
        throw new TypeError('frameMemory(frame): frame is not a VideoFrame');
      }
      if (frame.#closed) throw invalidState('frameMemory(frame)');
      if (frame.#format === null) {
        throw notSupported("frameMemory(frame): this frame's pixel format has no WebCodecs name (format is null)");
      }
      const { data, offsets, strides } = frame.#resource;
      const v = frame.#visible;
      const planes = computeLayout(frame.#format, v, undefined, 'frameMemory(frame)').planes;
      return {
        format: STORAGE[frame.#format],
        width: v.width,
        height: v.height,
        data,
        offsets: planes.map((p, i) => offsets[i] + p.sourceTop * strides[i] + p.sourceLeftBytes),
        strides: [...strides],
      };
    };
  }
}

webidl.defineInterface(VideoFrame, {
  length: 1, // constructor(image, optional init) / constructor(data, init)
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
    codedWidth: raw.width,
    codedHeight: raw.height,
    timestamp: raw.timestamp,
    duration,
  });
}

/**
 * The bytes of `frame`'s visible rect, for code of the library that reads
 * frames (the generator): `{format, width, height, data, offsets, strides}`,
 * `format` the memory's layout ('I420', 'NV12', 'RGBA' or 'BGRA': RGBX and
 * BGRX frames are RGBA and BGRA memory), `width` x `height` the visible rect,
 * `offsets` where each plane's first visible sample lies in `data` (an
 * ArrayBuffer or SharedArrayBuffer: read-only), `strides` bytes per row.
 * InvalidStateError for a closed frame, NotSupportedError when `format` is null.
 */
function frameMemory(frame) {
  return memoryOf(frame);
}

module.exports = { VideoFrame, videoFrameOf, bytesOf, frameMemory };
