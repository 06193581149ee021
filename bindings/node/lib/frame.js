'use strict';
// Frames: the native module hands over one ArrayBuffer over the frame's
// memory (no copy) and its layout; each plane becomes a Buffer view of it.

const native = require('./binding.js');

class Frame {
  #data;
  #closed = false;

  constructor(raw) {
    this.#data = raw.data;
    this.timestamp = raw.timestamp;
    this.sequence = raw.sequence;
  }

  /** True once close() was called: the planes are then empty. */
  get closed() {
    return this.#closed;
  }

  /**
   * Gives the frame's memory back to its device now instead of when the
   * garbage collector finds it: every plane (and `samples`) becomes empty.
   * Calling it again does nothing. Do not close a frame while an asynchronous
   * operation (a pending fs.write, say) still reads its planes.
   */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    native.releaseFrame(this.#data);
  }
}

class VideoFrame extends Frame {
  constructor(raw) {
    super(raw);
    this.kind = 'video';
    this.format = raw.format;
    this.width = raw.width;
    this.height = raw.height;
    this.strides = raw.strides;
    const { data, offsets, sizes } = raw;
    const planes = new Array(offsets.length);
    for (let i = 0; i < offsets.length; i++) {
      planes[i] = Buffer.from(data, offsets[i], sizes[i]);
    }
    this.planes = planes;
  }
}

class AudioFrame extends Frame {
  constructor(raw) {
    super(raw);
    const { data } = raw;
    this.kind = 'audio';
    this.format = raw.format;
    this.sampleRate = raw.sampleRate;
    this.channels = raw.channels;
    this.sampleCount = raw.sampleCount;
    this.planes = [Buffer.from(data, 0, data.byteLength)];
    this.samples =
      raw.format === 'f32' ? new Float32Array(data, 0, data.byteLength / 4) : new Int16Array(data, 0, data.byteLength / 2);
  }
}

function makeFrame(raw) {
  return raw.kind === 'video' ? new VideoFrame(raw) : new AudioFrame(raw);
}

module.exports = { makeFrame, VideoFrame, AudioFrame };
