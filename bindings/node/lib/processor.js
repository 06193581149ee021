'use strict';
// MediaStreamTrackProcessor (W3C Media Capture Transform): a track's frames
// as a WHATWG ReadableStream (Node's own) of WebCodecs VideoFrames or
// AudioData, over the library's frames without a copy.
//
// Frames wait in the track's own queue (bounded, oldest dropped and counted
// in track.getStats()). Each time the stream is read, the processor takes the
// frames that arrived since, keeps the newest `maxBufferSize` of them (the
// older ones are closed, given back to the device: "dropped", as the
// specification says) and hands over the oldest kept. The stream pulls only
// while it is read (highWaterMark 0); cancelling it stops pulling and leaves
// the track live; the track ending (stop() or its source) closes the stream
// once the frames already taken are read.

const { ReadableStream } = require('node:stream/web');
const native = require('./binding.js');
const webidl = require('./webidl.js');
const { fromNative } = require('./errors.js');
const { nativeTrackOf } = require('./track.js');
const { videoFrameOf } = require('./video_frame.js');
const { audioDataOf } = require('./audio_data.js');

/** Frames taken from the track's queue in one read, at most (an unpaced source refills it while we take). */
const MAX_TAKEN_PER_READ = 8;
/**
 * Frames taken from the track without letting the event loop turn: Node gives
 * closed (and dropped) frames back to their device between turns.
 */
const MAX_TAKEN_WITHOUT_TURN = 8;

/** How long one wait for a frame lasts before checking whether the stream was cancelled. */
const WAIT_SLICE_MS = 500;

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** `[EnforceRange] unsigned short`. */
function enforceUnsignedShort(value, what) {
  const x = Number(value);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
  const n = Math.trunc(x);
  if (n < 0 || n > 65535) throw new TypeError(`${what} must be from 0 to 65535, got ${String(value)}`);
  return n;
}

class MediaStreamTrackProcessor {
  #track;
  #readable;

  /** `new MediaStreamTrackProcessor({track, maxBufferSize})`: a TypeError for anything but a live track. */
  constructor(init) {
    const what = "Failed to construct 'MediaStreamTrackProcessor'";
    webidl.requireArguments(arguments.length, 1, what);
    init = webidl.dictionary(init, `${what}: init`);
    const { track } = init;
    if (track === undefined) throw new TypeError(`${what}: required member track is undefined`);
    const nativeTrack = nativeTrackOf(track);
    if (nativeTrack === null) throw new TypeError(`${what}: track is not of type 'MediaStreamTrack'`);
    // The specification's default is 1; ours for audio is 10 chunks (100 ms), so that audio survives a slow turn.
    let maxBufferSize = nativeTrack.kind() === 'audio' ? 10 : 1;
    if (init.maxBufferSize !== undefined) {
      maxBufferSize = Math.max(1, enforceUnsignedShort(init.maxBufferSize, `${what}: maxBufferSize`));
    }
    if (nativeTrack.readyState() === 'ended') throw new TypeError(`${what}: the track has ended`);
    webidl.brand(this, MediaStreamTrackProcessor);
    this.#track = track;
    this.#readable = makeReadable(nativeTrack, track, maxBufferSize);
  }

  /** A ReadableStream of VideoFrame (video track) or AudioData (audio track); close each one read. */
  get readable() {
    return this.#readable;
  }
}

webidl.defineInterface(MediaStreamTrackProcessor, { length: 1, attributes: ['readable'] });

function makeReadable(nativeTrack, track, maxBufferSize) {
  const queue = []; // raw frames taken from the track, oldest first
  let cancelled = false;
  let takenWithoutTurn = 0;
  let frameRate = null;
  let settingsAt = -1;

  const release = (raw) => native.releaseFrame(raw.data);
  const take = (raw) => {
    takenWithoutTurn++;
    queue.push(raw);
    while (queue.length > maxBufferSize) release(queue.shift());
  };
  // Every frame the track's queue holds now (a bounded number), newest kept.
  const takeWaiting = () => {
    for (let i = 0; i < MAX_TAKEN_PER_READ; i++) {
      let raw;
      try {
        raw = nativeTrack.tryRead();
      } catch (error) {
        throw fromNative(error);
      }
      if (raw === null) return;
      take(raw);
    }
  };
  const wrap = (raw) => {
    if (raw.kind === 'audio') return audioDataOf(raw);
    // Duration from the track's frame rate (read again now and then: applyConstraints may change it).
    if (settingsAt < 0 || raw.sequence - settingsAt >= 30 || raw.sequence < settingsAt) {
      settingsAt = raw.sequence;
      const rate = JSON.parse(nativeTrack.settings()).frameRate;
      frameRate = typeof rate === 'number' && rate > 0 ? rate : null;
    }
    return videoFrameOf(raw, frameRate === null ? null : Math.round(1e6 / frameRate));
  };

  return new ReadableStream(
    {
      async pull(controller) {
        if (takenWithoutTurn >= MAX_TAKEN_WITHOUT_TURN) {
          takenWithoutTurn = 0;
          await turn();
          if (cancelled) return;
        }
        takeWaiting();
        if (queue.length === 0) {
          takenWithoutTurn = 0; // waiting for a frame lets the event loop turn
          let raw = null;
          // In slices, so that a cancelled stream stops waiting (and holding a thread) soon.
          while (raw === null && !cancelled) {
            try {
              raw = await nativeTrack.read(WAIT_SLICE_MS);
            } catch (error) {
              const e = fromNative(error);
              if (e?.name === 'TimeoutError') continue;
              if (e?.name === 'EndedError') {
                if (!cancelled) controller.close();
                return;
              }
              throw e;
            }
          }
          if (raw === null) return;
          if (cancelled) {
            release(raw);
            return;
          }
          take(raw);
          takeWaiting();
        }
        controller.enqueue(wrap(queue.shift()));
      },
      cancel() {
        cancelled = true;
        for (const raw of queue.splice(0)) release(raw);
        void track; // the stream keeps its track (and so the device) alive while it is readable
      },
    },
    { highWaterMark: 0 },
  );
}

module.exports = { MediaStreamTrackProcessor };
