'use strict';
// WebCodecs `AudioData` over the library's audio frames (no copy): what a
// MediaStreamTrackProcessor gives for an audio track. Our frames are
// interleaved ('f32' or 's16'); copyTo() also gives them planar ('f32-planar',
// 's16-planar', one channel per plane) and converts between f32 and s16.
// `new AudioData(init)` copies the samples given, as WebCodecs does.

const native = require('./binding.js');
const webidl = require('./webidl.js');
const { bytesOf } = require('./video_frame.js');

const kCreate = Symbol('create');

/** Sample formats we hold and convert to: bytes per sample, typed array, planar. */
const FORMATS = {
  f32: { bytes: 4, Array: Float32Array, planar: false, base: 'f32' },
  s16: { bytes: 2, Array: Int16Array, planar: false, base: 's16' },
  'f32-planar': { bytes: 4, Array: Float32Array, planar: true, base: 'f32' },
  's16-planar': { bytes: 2, Array: Int16Array, planar: true, base: 's16' },
};
const WEBCODECS_FORMATS = new Set(['u8', 's16', 's32', 'f32', 'u8-planar', 's16-planar', 's32-planar', 'f32-planar']);

function invalidState(what) {
  return new DOMException(`${what}: the AudioData is closed`, 'InvalidStateError');
}

/** Memory shared by an AudioData and its clones; given back when the last one closes. */
class Resource {
  constructor(data, byteOffset, release) {
    this.data = data;
    this.byteOffset = byteOffset;
    this.release = release;
    this.refs = 1;
  }
  unref() {
    if (--this.refs === 0 && this.release) this.release(this.data);
  }
}

function positiveInteger(value, what, { min = 0 } = {}) {
  const x = Number(value);
  if (!Number.isInteger(x) || x < min || x > 2 ** 32 - 1) throw new TypeError(`${what} must be an integer >= ${min}, got ${String(value)}`);
  return x;
}

const toS16 = (v) => Math.max(-32768, Math.min(32767, Math.round(v < 0 ? v * 32768 : v * 32767)));

class AudioData {
  #resource = null;
  #format = null;
  #sampleRate = 0;
  #frames = 0;
  #channels = 0;
  #timestamp = 0;

  /**
   * `new AudioData({format, sampleRate, numberOfFrames, numberOfChannels, timestamp, data})`
   * copies `data` (formats 'f32', 's16', 'f32-planar', 's16-planar').
   */
  constructor(init, raw) {
    webidl.brand(this, AudioData);
    if (init === kCreate) {
      this.#resource = new Resource(raw.data, 0, native.releaseFrame);
      this.#format = raw.format;
      this.#sampleRate = raw.sampleRate;
      this.#frames = raw.sampleCount;
      this.#channels = raw.channels;
      this.#timestamp = raw.timestamp;
      return;
    }
    webidl.requireArguments(arguments.length, 1, "Failed to construct 'AudioData'");
    const what = "Failed to construct 'AudioData'";
    init = webidl.object(init, `${what}: init`);
    for (const key of ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'timestamp', 'data']) {
      if (init[key] === undefined) throw new TypeError(`${what}: init.${key} is required`);
    }
    const format = String(init.format);
    if (!WEBCODECS_FORMATS.has(format)) throw new TypeError(`${what}: '${format}' is not an AudioSampleFormat`);
    if (!Object.hasOwn(FORMATS, format)) {
      throw new DOMException(`${what}: format '${format}' is not supported here (f32, s16, f32-planar, s16-planar are)`, 'NotSupportedError');
    }
    const sampleRate = Number(init.sampleRate);
    if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new TypeError(`${what}: sampleRate must be > 0`);
    const frames = positiveInteger(init.numberOfFrames, `${what}: numberOfFrames`, { min: 1 });
    const channels = positiveInteger(init.numberOfChannels, `${what}: numberOfChannels`, { min: 1 });
    const timestamp = Number(init.timestamp);
    if (!Number.isFinite(timestamp)) throw new TypeError(`${what}: timestamp must be a finite number`);
    const source = bytesOf(init.data, what);
    const size = frames * channels * FORMATS[format].bytes;
    if (source.byteLength < size) throw new TypeError(`${what}: data has ${source.byteLength} bytes, needs ${size}`);
    const copy = new ArrayBuffer(size);
    new Uint8Array(copy).set(source.subarray(0, size));
    this.#resource = new Resource(copy, 0, null);
    this.#format = format;
    this.#sampleRate = sampleRate;
    this.#frames = frames;
    this.#channels = channels;
    this.#timestamp = Math.trunc(timestamp);
  }

  get format() {
    return this.#format;
  }
  get sampleRate() {
    return this.#sampleRate;
  }
  get numberOfFrames() {
    return this.#frames;
  }
  get numberOfChannels() {
    return this.#channels;
  }
  /** Microseconds. */
  get duration() {
    return this.#sampleRate === 0 ? 0 : Math.trunc((this.#frames * 1e6) / this.#sampleRate);
  }
  /** Capture time in microseconds (the library's monotonic capture clock). */
  get timestamp() {
    return this.#timestamp;
  }

  /** Bytes copyTo() writes with these options (`planeIndex` required). */
  allocationSize(options) {
    if (this.#resource === null) throw invalidState('AudioData.allocationSize()');
    return this.#plan(options, 'AudioData.allocationSize()').size;
  }

  /** Copy one plane (`planeIndex`), from `frameOffset`, `frameCount` frames, in `format` (default: the data's). */
  copyTo(destination, options) {
    const what = 'AudioData.copyTo()';
    if (this.#resource === null) throw invalidState(what);
    const plan = this.#plan(options, what);
    const target = bytesOf(destination, what);
    if (target.byteLength < plan.size) {
      throw new RangeError(`${what}: the destination has ${target.byteLength} bytes, the copy needs ${plan.size}`);
    }
    const src = FORMATS[this.#format];
    const dst = FORMATS[plan.format];
    const { data, byteOffset } = this.#resource;
    const samples = new src.Array(data, byteOffset, this.#frames * this.#channels);
    const channels = this.#channels;
    const frames = this.#frames;
    // Index of (frame, channel) in the source.
    const at = src.planar ? (f, c) => c * frames + f : (f, c) => f * channels + c;
    const out = new dst.Array(plan.elements);
    const first = plan.frameOffset;
    if (src.planar === dst.planar && src.base === dst.base) {
      const start = src.planar ? at(first, plan.planeIndex) : first * channels;
      out.set(samples.subarray(start, start + plan.elements));
    } else {
      const convert =
        src.base === dst.base ? (v) => v : dst.base === 'f32' ? (v) => v / 32768 : toS16;
      if (dst.planar) {
        for (let f = 0; f < plan.elements; f++) out[f] = convert(samples[at(first + f, plan.planeIndex)]);
      } else {
        for (let f = 0, k = 0; f < plan.count; f++) {
          for (let c = 0; c < channels; c++) out[k++] = convert(samples[at(first + f, c)]);
        }
      }
    }
    target.set(new Uint8Array(out.buffer, 0, plan.size));
  }

  /** A new AudioData over the same memory; each must be closed. */
  clone() {
    if (this.#resource === null) throw invalidState('AudioData.clone()');
    const copy = new AudioData(kCreate, {
      data: this.#resource.data,
      format: this.#format,
      sampleRate: this.#sampleRate,
      sampleCount: this.#frames,
      channels: this.#channels,
      timestamp: this.#timestamp,
    });
    copy.#resource = this.#resource;
    this.#resource.refs++;
    return copy;
  }

  /** Gives the samples' memory back to the microphone now (once every clone is closed too). */
  close() {
    if (this.#resource === null) return;
    this.#resource.unref();
    this.#resource = null;
    this.#format = null;
    this.#sampleRate = this.#frames = this.#channels = 0;
  }

  // WebCodecs' "Compute Copy Element Count".
  #plan(options, what) {
    options = webidl.object(options, `${what}: options`);
    if (options.planeIndex === undefined) throw new TypeError(`${what}: options.planeIndex is required`);
    const planeIndex = webidl.unsignedLong(options.planeIndex);
    let format = this.#format;
    if (options.format !== undefined) {
      format = String(options.format);
      if (!WEBCODECS_FORMATS.has(format)) throw new TypeError(`${what}: '${format}' is not an AudioSampleFormat`);
      if (!Object.hasOwn(FORMATS, format)) {
        throw new DOMException(`${what}: converting to '${format}' is not supported (f32, s16, f32-planar, s16-planar are)`, 'NotSupportedError');
      }
    }
    const planar = FORMATS[format].planar;
    if (!planar && planeIndex > 0) throw new RangeError(`${what}: '${format}' is interleaved: its only plane is 0`);
    if (planar && planeIndex >= this.#channels) {
      throw new RangeError(`${what}: planeIndex ${planeIndex} is beyond the ${this.#channels} channels`);
    }
    const frameOffset = options.frameOffset === undefined ? 0 : webidl.unsignedLong(options.frameOffset);
    if (frameOffset >= this.#frames) {
      throw new RangeError(`${what}: frameOffset ${frameOffset} is not below numberOfFrames ${this.#frames}`);
    }
    let count = this.#frames - frameOffset;
    if (options.frameCount !== undefined) {
      const frameCount = webidl.unsignedLong(options.frameCount);
      if (frameCount > count) throw new RangeError(`${what}: frameCount ${frameCount} is more than the ${count} frames from frameOffset`);
      count = frameCount;
    }
    const elements = planar ? count : count * this.#channels;
    return { format, planeIndex, frameOffset, count, elements, size: elements * FORMATS[format].bytes };
  }
}

webidl.defineInterface(AudioData, {
  length: 1,
  attributes: ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'duration', 'timestamp'],
  operations: { allocationSize: 1, copyTo: 2, clone: 0, close: 0 },
});

/** The AudioData of a raw audio frame from the native module; closing it (and its clones) releases the frame. */
function audioDataOf(raw) {
  return new AudioData(kCreate, raw);
}

module.exports = { AudioData, audioDataOf };
