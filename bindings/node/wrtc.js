'use strict';
// localmediastream/wrtc: our tracks sent through @roamhq/wrtc (node-webrtc).
//
//   const { toWrtcTrack } = require('localmediastream/wrtc');
//   const [camera] = (await lms.mediaDevices.getUserMedia({ video: true })).getVideoTracks();
//   pc.addTrack(toWrtcTrack(camera));   // a wrtc MediaStreamTrack, fed with the camera's frames
//
// @roamhq/wrtc is an optional peer dependency: it is loaded only when
// toWrtcTrack() is called without a wrtc module of the caller's own.
//
// Video frames go to wrtc's nonstandard RTCVideoSource.onFrame() as I420, one
// call per frame of ours, as it comes; audio to RTCAudioSource.onData() in
// chunks of exactly 10 ms (what wrtc accepts), 16-bit, cut from our frames
// whatever their length. No timers: a read loop on the track drives it all.

const lms = require('./index.js');

// The brand check of our MediaStreamTrack: its `readyState` getter throws a
// TypeError for anything else (lib/webidl.js), however it was made.
const readyStateOf = Object.getOwnPropertyDescriptor(lms.MediaStreamTrack.prototype, 'readyState').get;

/** Track -> its session, so that a second call gives the same wrtc track instead of a second reader. */
const sessions = new WeakMap();

function loadWrtc() {
  try {
    return require('@roamhq/wrtc');
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('@roamhq/wrtc')) throw error;
    const missing = new Error(
      'toWrtcTrack(track): @roamhq/wrtc is not installed (an optional peer dependency of localmediastream): ' +
        'npm install @roamhq/wrtc, or pass the wrtc module as the second argument',
      { cause: error },
    );
    missing.code = 'MODULE_NOT_FOUND';
    throw missing;
  }
}

function checkWrtc(wrtc) {
  const nonstandard = wrtc?.nonstandard;
  if (
    typeof nonstandard?.RTCVideoSource !== 'function' ||
    typeof nonstandard?.RTCAudioSource !== 'function' ||
    typeof wrtc?.MediaStreamTrack !== 'function'
  ) {
    throw new TypeError(
      "toWrtcTrack(track, wrtc): wrtc must be the @roamhq/wrtc module (with MediaStreamTrack and nonstandard's RTCVideoSource, RTCAudioSource)",
    );
  }
  return nonstandard;
}

// ---------------------------------------------------------------------------
// wrtc crashes (SIGSEGV) when the environment is torn down while one of its
// RTCVideoSource / RTCAudioSource objects is still uncollected: their
// finalizers then release handles Node has already freed (node-webrtc issue
// #636, still so in @roamhq/wrtc 0.10.0). Collected before, they are harmless.
// So the sources this module makes are held by their session only, let go
// when the session ends or the process exits, and at exit a collection runs
// while the environment is still alive (it takes the program's own
// unreachable sources too).

const openSessions = new Set();
let exitHook = false;

function collectNow() {
  if (typeof globalThis.gc === 'function') return globalThis.gc();
  const v8 = require('node:v8');
  v8.setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  v8.setFlagsFromString('--no-expose-gc');
  gc();
}

function onExit() {
  for (const session of openSessions) session.source = null;
  openSessions.clear();
  collectNow();
}

function holdSource(session, source) {
  session.source = source;
  openSessions.add(session);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', onExit);
  }
}

// ---------------------------------------------------------------------------

/**
 * A wrtc `MediaStreamTrack` that carries `track`'s frames: video as I420
 * through `nonstandard.RTCVideoSource`, audio as 16-bit 10 ms chunks through
 * `nonstandard.RTCAudioSource`. It reads `track` (read a clone for yourself).
 * Stopping the returned track stops `track`; `track` ending (stop() or its
 * device) stops the returned track, which then fires `ended`.
 */
function toWrtcTrack(track, wrtc) {
  let state;
  try {
    state = readyStateOf.call(track);
  } catch {
    throw new TypeError('toWrtcTrack(track, wrtc): track must be a MediaStreamTrack of localmediastream');
  }
  if (state !== 'live') throw new DOMException('toWrtcTrack(track, wrtc): the track has ended', 'InvalidStateError');
  if (wrtc === undefined) wrtc = loadWrtc();
  const nonstandard = checkWrtc(wrtc);

  const previous = sessions.get(track);
  if (previous !== undefined && !previous.done) {
    if (previous.wrtc !== wrtc) {
      throw new DOMException(
        'toWrtcTrack(track, wrtc): the track is already sent through another wrtc module: clone() it',
        'InvalidStateError',
      );
    }
    return previous.wrtcTrack;
  }

  const kind = track.kind;
  if (kind === 'video') {
    const formats = track.getCapabilities().pixelFormat;
    if (track.getSettings().pixelFormat !== 'I420' && !(Array.isArray(formats) && formats.includes('I420'))) {
      throw new TypeError(
        `toWrtcTrack(track, wrtc): wrtc takes I420 video, and this track cannot give it (pixel formats: ${formats})`,
      );
    }
  }

  const source = kind === 'video' ? new nonstandard.RTCVideoSource() : new nonstandard.RTCAudioSource();
  const wrtcTrack = source.createTrack();
  const session = {
    wrtc,
    track,
    wrtcTrack,
    source: null,
    done: false,
    stoppedByWrtc: false,
    switching: false,
    warned: false,
    // video: a buffer of exactly one I420 picture, for frames that are not one already
    picture: null,
    // audio: one 10 ms chunk being filled, and where
    chunk: null,
    chunkFill: 0,
    chunkRate: 0,
    chunkChannels: 0,
  };
  holdSource(session, source);
  sessions.set(track, session);

  // wrtc's MediaStreamTrack.stop() is native and tells nobody: wrap it on
  // this object so that stopping it stops ours.
  const nativeStop = wrtcTrack.stop;
  Object.defineProperty(wrtcTrack, 'stop', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function stop() {
      const result = Reflect.apply(nativeStop, this, arguments);
      if (!session.done) {
        session.stoppedByWrtc = true;
        track.stop(); // our pending read ends with EndedError, and the loop finishes the session
      }
      return result;
    },
  });
  session.nativeStop = nativeStop;

  if (kind === 'video' && track.getSettings().pixelFormat !== 'I420') {
    const constraints = { ...track.getConstraints(), pixelFormat: { exact: 'I420' } };
    session.switching = true;
    track.applyConstraints(constraints).then(
      () => {
        session.switching = false;
      },
      (error) => {
        session.switching = false;
        warn(session, `the track could not be switched to I420 (${error?.name}: ${error?.message}); nothing is sent`);
        finish(session);
      },
    );
  }

  run(session, kind === 'video' ? sendVideo : sendAudio);
  return wrtcTrack;
}

async function run(session, send) {
  const { track, wrtcTrack } = session;
  try {
    while (!session.done) {
      let frame;
      try {
        frame = await track.readFrame();
      } catch (error) {
        if (error?.name === 'EndedError') break;
        throw error;
      }
      try {
        // The wrtc track ended without the stop() above (wrtc ends tracks natively too): ours follows.
        if (session.done || wrtcTrack.readyState !== 'live') {
          if (!session.done) {
            session.stoppedByWrtc = true;
            track.stop();
          }
          break;
        }
        send(session, frame);
      } finally {
        frame.close(); // wrtc copied what it needed: the buffer goes back to the device now
      }
    }
  } catch (error) {
    warn(session, `sending stopped: ${error?.name}: ${error?.message}`);
  } finally {
    finish(session);
  }
}

function finish(session) {
  if (session.done) return;
  session.done = true;
  session.source = null;
  session.picture = null;
  session.chunk = null;
  openSessions.delete(session);
  const { wrtcTrack } = session;
  if (wrtcTrack.readyState === 'live') Reflect.apply(session.nativeStop, wrtcTrack, []);
  // Our track ended (stopped, or its device gone): for the wrtc track its
  // source ended, which a browser tells with `ended`. stop() on the wrtc
  // track itself fires none, as in a browser.
  if (!session.stoppedByWrtc) wrtcTrack.dispatchEvent(new Event('ended'));
}

function warn(session, message) {
  if (session.warned) return;
  session.warned = true;
  process.emitWarning(`toWrtcTrack(${session.track.kind} track ${session.track.id}): ${message}`, 'LocalMediaStreamWarning');
}

// ---------------------------------------------------------------------------
// Video

function sendVideo(session, frame) {
  if (frame.format !== 'I420') {
    // Frames from before applyConstraints() took effect are dropped; after
    // someone changed the track's format, none can be sent (wrtc takes I420).
    if (!session.switching) warn(session, `${frame.format} frames are not sent (wrtc takes I420)`);
    return;
  }
  session.source?.onFrame(i420Picture(session, frame));
}

/**
 * `{width, height, data}` for wrtc: `data` must be a Uint8Array whose whole
 * ArrayBuffer is the picture, Y then U then V, tightly packed (wrtc takes the
 * view's ArrayBuffer, ignoring its offset, and checks its byteLength). Our
 * frames usually are exactly that: then a view, no copy; else (row padding,
 * odd sizes) a copy into a buffer kept for the next frames (wrtc copies the
 * picture before onFrame() returns).
 */
function i420Picture(session, frame) {
  const { width, height, planes, strides } = frame;
  const [y, u, v] = planes;
  const chromaWidth = width >> 1;
  const size = width * height;
  const buffer = y.buffer;
  if (
    (width & 1) === 0 &&
    (height & 1) === 0 &&
    y.byteOffset === 0 &&
    buffer.byteLength === size + (size >> 1) &&
    strides[0] === width &&
    strides[1] === chromaWidth &&
    strides[2] === chromaWidth &&
    u.buffer === buffer &&
    v.buffer === buffer &&
    u.byteOffset === size &&
    v.byteOffset === size + (size >> 2)
  ) {
    return { width, height, data: new Uint8Array(buffer, 0, buffer.byteLength) };
  }
  // wrtc's I420 has even sizes: an odd last row or column is cut off.
  const w = width & ~1;
  const h = height & ~1;
  const ySize = w * h;
  const cSize = ySize >> 2;
  let picture = session.picture;
  if (picture === null || picture.width !== w || picture.height !== h) {
    picture = { width: w, height: h, data: new Uint8Array(ySize + 2 * cSize) };
    session.picture = picture;
  }
  copyPlane(y, strides[0], picture.data, 0, w, h);
  copyPlane(u, strides[1], picture.data, ySize, w >> 1, h >> 1);
  copyPlane(v, strides[2], picture.data, ySize + cSize, w >> 1, h >> 1);
  return picture;
}

function copyPlane(plane, stride, out, offset, width, height) {
  if (stride === width) {
    out.set(plane.subarray(0, width * height), offset);
    return;
  }
  for (let row = 0; row < height; row++) {
    out.set(plane.subarray(row * stride, row * stride + width), offset + row * width);
  }
}

// ---------------------------------------------------------------------------
// Audio

function sendAudio(session, frame) {
  const { sampleRate, channels, samples } = frame;
  const frameLength = Math.floor(sampleRate / 100); // wrtc's 10 ms (it divides so too)
  if (session.chunk === null || session.chunkRate !== sampleRate || session.chunkChannels !== channels) {
    // A chunk of its own ArrayBuffer (wrtc takes the whole buffer), reused:
    // wrtc copies it before onData() returns. A change of settings drops the
    // unfinished chunk.
    session.chunk = new Int16Array(frameLength * channels);
    session.chunkFill = 0;
    session.chunkRate = sampleRate;
    session.chunkChannels = channels;
  }
  const chunk = session.chunk;
  const total = samples.length;
  const isFloat = samples instanceof Float32Array;
  let read = 0;
  while (read < total) {
    const n = Math.min(chunk.length - session.chunkFill, total - read);
    let at = session.chunkFill;
    if (isFloat) {
      for (let i = 0; i < n; i++) {
        const x = samples[read + i];
        chunk[at++] = x >= 1 ? 32767 : x <= -1 ? -32768 : Math.round(x * 32767);
      }
    } else {
      chunk.set(samples.subarray(read, read + n), at);
      at += n;
    }
    read += n;
    session.chunkFill = at;
    if (at === chunk.length) {
      session.source?.onData({
        samples: chunk,
        sampleRate,
        bitsPerSample: 16,
        channelCount: channels,
        numberOfFrames: frameLength,
      });
      session.chunkFill = 0;
      if (session.done) return;
    }
  }
}

module.exports = { toWrtcTrack };
