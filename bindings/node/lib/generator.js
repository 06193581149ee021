'use strict';
// VideoTrackGenerator (W3C Media Capture Transform): a track whose frames the
// program writes, e.g. the frames of a MediaStreamTrackProcessor after some
// processing. The track behaves as any other: clone(), stop(), enabled,
// events, and constraints that crop-and-scale, decimate or convert what is
// written (lms_core::generator).
//
// Each frame written is copied once into the generator's own buffers (a
// pool: no allocation in steady state) and closed, as the specification
// says. Writing never blocks; a track's full queue drops its oldest frame.
// While `muted`, frames written are dropped and the tracks are muted.
// Closing (or aborting) `writable` ends every track (`ended` fires); when the
// last track ends (stopped), further writes reject with TypeError and the
// stream errors.

const { WritableStream } = require('node:stream/web');
const native = require('./binding.js');
const webidl = require('./webidl.js');
const { call } = require('./errors.js');
const { wrapTrack } = require('./track.js');
const { VideoFrame, frameMemory } = require('./video_frame.js');

class VideoTrackGenerator {
  #native;
  #track;
  #writable = null;

  /** `new VideoTrackGenerator()`: a generator and its live video track. */
  constructor() {
    this.#native = call(() => new native.NativeGenerator());
    this.#track = wrapTrack(this.#native.track());
    webidl.brand(this, VideoTrackGenerator);
  }

  /** A WritableStream of VideoFrame; each frame written is sent to every track and closed. */
  get writable() {
    if (this.#writable === null) {
      const generator = this.#native;
      this.#writable = new WritableStream(
        {
          write(frame) {
            writeFrame(generator, frame);
          },
          close() {
            generator.close();
          },
          abort() {
            generator.close();
          },
        },
        { highWaterMark: 1 },
      );
    }
    return this.#writable;
  }

  /** Whether frames written are dropped and the tracks muted (their `mute`/`unmute` fire on a change). */
  get muted() {
    return this.#native.muted();
  }
  set muted(value) {
    this.#native.setMuted(value);
  }

  /** The generator's MediaStreamTrack (the same object each time). */
  get track() {
    return this.#track;
  }
}

function writeFrame(generator, frame) {
  const what = "Failed to write to the VideoTrackGenerator's writable";
  if (!webidl.implementsInterface(frame, VideoFrame)) {
    throw new TypeError(`${what}: the chunk is not a VideoFrame`);
  }
  try {
    if (generator.closed()) {
      throw new TypeError(`${what}: the generator is closed (every track it fed has ended)`);
    }
    let m;
    try {
      m = frameMemory(frame);
    } catch (error) {
      if (error?.name === 'InvalidStateError') throw new TypeError(`${what}: the VideoFrame is closed`);
      throw error;
    }
    const bytes = new Uint8Array(m.data);
    call(() => generator.write(m.format, m.width, m.height, frame.timestamp, bytes, m.offsets, m.strides));
  } finally {
    frame.close();
  }
}

webidl.defineInterface(VideoTrackGenerator, {
  length: 0,
  attributes: ['writable', { name: 'muted', type: webidl.boolean }, 'track'],
});

module.exports = { VideoTrackGenerator };
