'use strict';
// localmediastream/wrtc: our tracks sent through @roamhq/wrtc. Loopback calls
// in this process (two RTCPeerConnections, ICE candidates handed over
// directly, no STUN) with the fake camera and microphone paced in real time
// and a Y4M file camera; what the far side decodes is checked (the sequence
// codes the fake camera paints, the file's pictures, the tone's frequency).
// Then stop / ended both ways, bad input, and what wrtc is handed (a stand-in
// wrtc module records it): I420 pictures without a copy, 10 ms of 16-bit
// audio per call whatever the track's latency. @roamhq/wrtc is a development
// dependency: when it is missing this file fails, it is not skipped.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { lms, PACKAGE_DIR, useFakeDevices, open, stopAll, sleep, eventually } = require('./helpers.js');

const { toWrtcTrack } = require(path.join(PACKAGE_DIR, 'wrtc.js'));
const wrtc = require(require.resolve('@roamhq/wrtc', { paths: [PACKAGE_DIR] }));
const { RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

const REALTIME = { fake: { pacing: 'realtime', toneHz: 440 } };
useFakeDevices(REALTIME);
test.after(stopAll);

// ---------------------------------------------------------------------------
// A call with itself.

/**
 * Caller sends `tracks` (wrtc tracks) to callee; `received.onVideo(frame)` /
 * `received.onAudio(data)` see what the callee's sinks decode. Everything is
 * closed when the test ends.
 */
async function call(t, tracks) {
  const caller = new wrtc.RTCPeerConnection();
  const callee = new wrtc.RTCPeerConnection();
  const sinks = [];
  t.after(() => {
    for (const sink of sinks) sink.stop();
    caller.close();
    callee.close();
  });
  const received = { onVideo: null, onAudio: null };
  caller.onicecandidate = ({ candidate }) => candidate && callee.addIceCandidate(candidate).catch(() => {});
  callee.onicecandidate = ({ candidate }) => candidate && caller.addIceCandidate(candidate).catch(() => {});
  callee.ontrack = ({ track }) => {
    if (track.kind === 'video') {
      const sink = new RTCVideoSink(track);
      sink.onframe = ({ frame }) => received.onVideo?.(frame);
      sinks.push(sink);
    } else {
      const sink = new RTCAudioSink(track);
      sink.ondata = (data) => received.onAudio?.(data);
      sinks.push(sink);
    }
  };
  const senders = tracks.map((track) => caller.addTrack(track));
  const offer = await caller.createOffer();
  await caller.setLocalDescription(offer);
  await callee.setRemoteDescription(offer);
  const answer = await callee.createAnswer();
  await callee.setLocalDescription(answer);
  await caller.setRemoteDescription(answer);
  await eventually(
    () => caller.connectionState === 'connected' && callee.connectionState === 'connected',
    10_000,
    'the call to connect',
  );
  return { caller, callee, senders, received };
}

/** The I420 planes of a frame from RTCVideoSink (tightly packed, Y U V). */
function planesOf({ width, height, data }) {
  const ySize = width * height;
  const cSize = (width >> 1) * (height >> 1);
  return [data.subarray(0, ySize), data.subarray(ySize, ySize + cSize), data.subarray(ySize + cSize, ySize + 2 * cSize)];
}

function decode(frame) {
  const { width, height } = frame;
  return lms.decodeSequence({ kind: 'video', format: 'I420', width, height, planes: planesOf(frame) });
}

/** The frequency of a tone from its upward zero crossings (interpolated between samples). */
function toneHz(samples, sampleRate) {
  let first = -1;
  let last = -1;
  let periods = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a < 0 && b >= 0) {
      const at = i - 1 + a / (a - b);
      if (first < 0) first = at;
      else periods++;
      last = at;
    }
  }
  return periods / ((last - first) / sampleRate);
}

/** Channel 0 of interleaved 16-bit audio, appended to `into`. */
function collectAudio(into, { samples, sampleRate, channelCount }) {
  into.rate = sampleRate;
  for (let i = 0; i < samples.length; i += channelCount) into.samples.push(samples[i]);
}

const WARM_UP_MS = 700;
const WINDOW_MS = 3000;

test('a loopback call: the fake camera arrives in order with its sequence codes, the tone at 440 Hz', async (t) => {
  const stream = await open({ video: { width: 640, height: 480, frameRate: 30 }, audio: { channelCount: 1 } });
  const [camera] = stream.getVideoTracks();
  const [microphone] = stream.getAudioTracks();
  assert.equal(camera.getSettings().frameRate, 30);
  const { received } = await call(t, [toWrtcTrack(camera, wrtc), toWrtcTrack(microphone, wrtc)]);

  let recording = false;
  const frames = []; // in the window: {sequence, width, height}
  let before = 0;
  const audio = { rate: 0, samples: [] };
  received.onVideo = (frame) => {
    if (recording) frames.push({ sequence: decode(frame), width: frame.width, height: frame.height });
    else before++;
  };
  received.onAudio = (data) => recording && collectAudio(audio, data);
  await eventually(() => before > 0, 10_000, 'a first decoded frame');
  await sleep(WARM_UP_MS);
  recording = true;
  await sleep(WINDOW_MS);
  recording = false;

  const decoded = frames.map((f) => f.sequence).filter((s) => s !== null);
  const survival = decoded.length / frames.length;
  const span = decoded.length > 0 ? decoded[decoded.length - 1] - decoded[0] + 1 : 0;
  const arrived = decoded.length / span;
  const hz = toneHz(audio.samples, audio.rate);
  const sizes = [...new Set(frames.map((f) => `${f.width}x${f.height}`))];
  t.diagnostic(
    `video: ${frames.length} frames in ${WINDOW_MS} ms (${sizes}), sequence code read from ${decoded.length} ` +
      `(${(100 * survival).toFixed(1)}%), ${decoded.length} of the ${span} sent arrived (${(100 * arrived).toFixed(1)}%); ` +
      `audio: ${(audio.samples.length / audio.rate).toFixed(2)} s at ${audio.rate} Hz, tone ${hz.toFixed(2)} Hz`,
  );
  for (let i = 1; i < decoded.length; i++) {
    assert.ok(decoded[i] > decoded[i - 1], `sequence numbers increase: ${decoded.slice(Math.max(0, i - 3), i + 2)}`);
  }
  assert.ok(survival >= 0.9, `the sequence code survives VP8 in ${(100 * survival).toFixed(1)}% of frames`);
  assert.ok(span >= 0.75 * 30 * (WINDOW_MS / 1000), `the camera sent ${span} frames in ${WINDOW_MS} ms (30 fps)`);
  assert.ok(arrived >= 0.9, `${(100 * arrived).toFixed(1)}% of the frames sent arrived`);
  assert.ok(audio.samples.length >= audio.rate, `at least 1 s of audio (${audio.samples.length} samples)`);
  assert.ok(Math.abs(hz - 440) <= 2, `the tone is 440 ± 2 Hz: ${hz}`);
  assert.equal(camera.readyState, 'live');
});

/** A Y4M file: FRAMES pictures of W x H, each a gradient moved by its index and a bright square. */
const Y4M = { W: 320, H: 240, FRAMES: 60 };
function y4mLuma(k) {
  const { W, H } = Y4M;
  const y = new Uint8Array(W * H);
  const square = { x: 8 + ((k * 4) % (W - 64)), y: 80, size: 48 };
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      const inSquare =
        col >= square.x && col < square.x + square.size && row >= square.y && row < square.y + square.size;
      y[row * W + col] = inSquare ? 230 : 30 + ((2 * col + row + 6 * k) % 160);
    }
  }
  return y;
}

function writeY4m(file) {
  const { W, H, FRAMES } = Y4M;
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`)];
  const lumas = [];
  for (let k = 0; k < FRAMES; k++) {
    const y = y4mLuma(k);
    lumas.push(y);
    parts.push(Buffer.from('FRAME\n'), Buffer.from(y.buffer), chroma);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
  return lumas;
}

/** Mean absolute difference of two lumas, over every `step`-th pixel of every `step`-th row. */
function meanDiff(a, b, width, height, step) {
  let sum = 0;
  let n = 0;
  for (let row = 0; row < height; row += step) {
    for (let col = 0; col < width; col += step) {
      sum += Math.abs(a[row * width + col] - b[row * width + col]);
      n++;
    }
  }
  return sum / n;
}

test('a loopback call with a Y4M file camera: the far side gets the file, picture by picture, in order', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-wrtc-'));
  t.after(() => {
    useFakeDevices(REALTIME);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'moving.y4m');
  const lumas = writeY4m(file);
  lms.configure({ backends: ['file'], file: { video: file, pacing: 'realtime', loop: true } });
  const [camera] = (await open({ video: true })).getVideoTracks();
  assert.deepEqual([camera.getSettings().width, camera.getSettings().height], [Y4M.W, Y4M.H]);
  const { received } = await call(t, [toWrtcTrack(camera, wrtc)]);

  let recording = false;
  let before = 0;
  const frames = []; // {index (best matching file picture), diff (mean luma difference to it)}
  received.onVideo = (frame) => {
    if (!recording) {
      before++;
      return;
    }
    if (frame.width !== Y4M.W || frame.height !== Y4M.H) {
      frames.push({ index: -1, diff: Infinity, size: `${frame.width}x${frame.height}` });
      return;
    }
    const y = frame.data.subarray(0, Y4M.W * Y4M.H);
    let best = 0;
    let bestDiff = Infinity;
    lumas.forEach((luma, k) => {
      const d = meanDiff(y, luma, Y4M.W, Y4M.H, 4);
      if (d < bestDiff) [best, bestDiff] = [k, d];
    });
    frames.push({ index: best, diff: meanDiff(y, lumas[best], Y4M.W, Y4M.H, 1) });
  };
  await eventually(() => before > 0, 10_000, 'a first decoded frame');
  await sleep(WARM_UP_MS);
  recording = true;
  await sleep(WINDOW_MS);
  recording = false;

  assert.ok(frames.length > 0, 'frames arrived');
  assert.ok(frames.every((f) => f.index >= 0), `every frame is the file's size: ${frames.find((f) => f.index < 0)?.size}`);
  const worst = Math.max(...frames.map((f) => f.diff));
  const mean = frames.reduce((s, f) => s + f.diff, 0) / frames.length;
  let sent = 1;
  for (let i = 1; i < frames.length; i++) {
    const step = (frames[i].index - frames[i - 1].index + Y4M.FRAMES) % Y4M.FRAMES;
    assert.ok(step >= 1 && step < Y4M.FRAMES / 4, `pictures come in the file's order: ${frames[i - 1].index} then ${frames[i].index}`);
    sent += step;
  }
  const arrived = frames.length / sent;
  t.diagnostic(
    `file camera: ${frames.length} of ${sent} frames sent arrived (${(100 * arrived).toFixed(1)}%), ` +
      `mean luma difference to the file ${mean.toFixed(2)} (worst ${worst.toFixed(2)})`,
  );
  assert.ok(worst < 6, `every frame is close to its picture in the file: worst mean luma difference ${worst}`);
  assert.ok(sent >= 0.75 * 30 * (WINDOW_MS / 1000), `the file camera sent ${sent} frames in ${WINDOW_MS} ms (30 fps)`);
  assert.ok(arrived >= 0.9, `${(100 * arrived).toFixed(1)}% of the frames sent arrived`);
});

// ---------------------------------------------------------------------------
// Stop and ended, both ways.

test('stopping the wrtc track stops ours; stopping ours ends the wrtc track, which fires ended', async (t) => {
  const stream = await open({ video: { width: 320, height: 240 }, audio: true });
  const [camera] = stream.getVideoTracks();
  const [microphone] = stream.getAudioTracks();
  const sentCamera = toWrtcTrack(camera, wrtc);
  const sentMicrophone = toWrtcTrack(microphone, wrtc);
  const ended = { camera: 0, microphone: 0 };
  sentCamera.addEventListener('ended', () => ended.camera++);
  sentMicrophone.onended = () => ended.microphone++;
  const { caller, received } = await call(t, [sentCamera, sentMicrophone]);
  let frames = 0;
  let audio = 0;
  received.onVideo = () => frames++;
  received.onAudio = ({ samples }) => (audio += samples.some((x) => Math.abs(x) > 1000) ? 1 : 0);
  await eventually(() => frames > 5 && audio > 5, 10_000, 'video and audio to arrive');

  // The wrtc side stops: ours stops at once (a stop() fires no ended, either side).
  sentCamera.stop();
  assert.equal(sentCamera.readyState, 'ended');
  assert.equal(camera.readyState, 'ended', "stopping the wrtc track stopped ours");
  await sleep(300);
  const after = frames;
  await sleep(500);
  assert.ok(frames - after <= 1, `no frames after the stop (${frames - after} came)`);
  assert.equal(ended.camera, 0, 'stop() fires no ended');

  // Ours stops: the wrtc track ends, fires ended, and its source goes silent.
  microphone.stop();
  await eventually(() => sentMicrophone.readyState === 'ended', 5_000, 'the wrtc audio track to end');
  await eventually(() => ended.microphone === 1, 5_000, 'ended on the wrtc audio track');
  await sleep(300);
  const loud = audio;
  await sleep(500);
  assert.equal(audio, loud, 'no tone arrives after our track stopped');
  assert.equal(caller.connectionState, 'connected');
  assert.equal(stream.active, false);
});

test("a fake 'disconnect' ends the sending track; the connection stays connected", async (t) => {
  const device = 'fake:video:1';
  t.after(() => lms.fakeDeviceControl(device, 'reconnect'));
  const stream = await open({ video: { deviceId: { exact: device }, width: 320, height: 240 } });
  const [camera] = stream.getVideoTracks();
  const sent = toWrtcTrack(camera, wrtc);
  let endedEvents = 0;
  sent.onended = () => endedEvents++;
  const ours = new Promise((resolve) => camera.addEventListener('ended', resolve, { once: true }));
  const { caller, callee, received } = await call(t, [sent]);
  let frames = 0;
  received.onVideo = () => frames++;
  await eventually(() => frames > 5, 10_000, 'frames to arrive');

  lms.fakeDeviceControl(device, 'disconnect');
  await ours;
  assert.equal(camera.readyState, 'ended');
  await eventually(() => sent.readyState === 'ended' && endedEvents === 1, 5_000, 'the wrtc track to end with ended');
  await sleep(500);
  assert.equal(caller.connectionState, 'connected');
  assert.equal(callee.connectionState, 'connected');
});

test('closing the peer connection leaves both tracks live, as in a browser; stopping ours then ends the wrtc track', async (t) => {
  const [camera] = (await open({ video: { width: 160, height: 120 } })).getVideoTracks();
  const sent = toWrtcTrack(camera, wrtc);
  const { caller, received } = await call(t, [sent]);
  let frames = 0;
  received.onVideo = () => frames++;
  await eventually(() => frames > 2, 10_000, 'frames to arrive');
  caller.close();
  await sleep(200);
  assert.equal(sent.readyState, 'live');
  assert.equal(camera.readyState, 'live');
  camera.stop();
  await eventually(() => sent.readyState === 'ended', 5_000, 'the wrtc track to end');
});

// ---------------------------------------------------------------------------
// Bad input: errors at once, never a hang, and the track untouched.

test('bad input: a TypeError for what is not our track, InvalidStateError for an ended one', async () => {
  const [camera] = (await open({ video: { width: 160, height: 120 } })).getVideoTracks();
  const wrtcTrack = new wrtc.nonstandard.RTCVideoSource().createTrack();
  try {
    for (const value of [undefined, null, 42, 'track', {}, { kind: 'video', readyState: 'live' }, wrtcTrack,
      new lms.MediaStream(), Object.create(lms.MediaStreamTrack.prototype)]) {
      assert.throws(() => toWrtcTrack(value, wrtc), TypeError, `toWrtcTrack(${String(value)})`);
    }
  } finally {
    wrtcTrack.stop();
  }
  for (const module of [null, {}, { nonstandard: {} }, { MediaStreamTrack: Object, nonstandard: { RTCVideoSource: Object } }]) {
    assert.throws(() => toWrtcTrack(camera, module), TypeError, 'not a wrtc module');
  }
  assert.equal(camera.readyState, 'live');
  const frame = await camera.readFrame({ timeout: 5_000 }); // still ours to read: no reader was started
  frame.close();

  const stopped = camera.clone();
  stopped.stop();
  assert.throws(
    () => toWrtcTrack(stopped, wrtc),
    (e) => e instanceof DOMException && e.name === 'InvalidStateError',
  );
  const device = 'fake:video:1';
  const [gone] = (await open({ video: { deviceId: { exact: device }, width: 160, height: 120 } })).getVideoTracks();
  const ended = new Promise((resolve) => gone.addEventListener('ended', resolve, { once: true }));
  lms.fakeDeviceControl(device, 'disconnect');
  try {
    await ended;
    assert.throws(() => toWrtcTrack(gone, wrtc), (e) => e instanceof DOMException && e.name === 'InvalidStateError');
  } finally {
    lms.fakeDeviceControl(device, 'reconnect');
  }
});

test('a second call gives the same wrtc track; a clone gets its own', async () => {
  const [camera] = (await open({ video: { width: 160, height: 120 } })).getVideoTracks();
  const clone = camera.clone();
  const first = toWrtcTrack(camera, wrtc);
  assert.equal(toWrtcTrack(camera, wrtc), first);
  const other = toWrtcTrack(clone, wrtc);
  assert.notEqual(other, first);
  assert.throws(() => toWrtcTrack(camera, stand_in().wrtc), (e) => e.name === 'InvalidStateError', 'another wrtc module');
  first.stop();
  other.stop();
  assert.equal(camera.readyState, 'ended');
  assert.equal(clone.readyState, 'ended');
  assert.equal(first.readyState, 'ended');
});

// ---------------------------------------------------------------------------
// What wrtc is handed, seen through a stand-in wrtc module.

/** A wrtc module that records what its sources get, checking it as wrtc does. */
function stand_in() {
  const log = { frames: [], audio: [], tracks: [] };
  class MediaStreamTrack extends EventTarget {
    constructor(kind) {
      super();
      this.kind = kind;
      this.readyState = 'live';
      log.tracks.push(this);
    }
    stop() {
      this.readyState = 'ended';
    }
  }
  class RTCVideoSource {
    createTrack() {
      return new MediaStreamTrack('video');
    }
    onFrame({ width, height, data }) {
      // wrtc reads the whole ArrayBuffer under `data` and wants exactly one picture.
      assert.ok(data instanceof Uint8Array);
      assert.equal(data.buffer.byteLength, width * height * 1.5, 'one I420 picture');
      log.frames.push({ width, height, data, sequence: decode({ width, height, data }) });
    }
  }
  class RTCAudioSource {
    createTrack() {
      return new MediaStreamTrack('audio');
    }
    onData({ samples, sampleRate, bitsPerSample, channelCount, numberOfFrames }) {
      assert.ok(samples instanceof Int16Array);
      assert.equal(samples.buffer.byteLength, channelCount * numberOfFrames * 2, 'exactly the chunk');
      log.audio.push({ samples: samples.slice(), sampleRate, bitsPerSample, channelCount, numberOfFrames });
    }
  }
  return { log, wrtc: { MediaStreamTrack, nonstandard: { RTCVideoSource, RTCAudioSource } } };
}

test('video: one I420 picture per frame, a view of our frame (no copy), each frame closed once wrtc has it', async () => {
  const [camera] = (await open({ video: { width: 640, height: 480 } })).getVideoTracks();
  const { log, wrtc: fake } = stand_in();
  const sent = toWrtcTrack(camera, fake);
  await eventually(() => log.frames.length >= 10, 10_000, '10 frames');
  sent.stop();
  const frames = log.frames.slice(0, 10);
  for (const [i, f] of frames.entries()) {
    assert.deepEqual([f.width, f.height], [640, 480]);
    assert.notEqual(f.sequence, null, 'the picture is our frame');
    if (i > 0) assert.ok(f.sequence > frames[i - 1].sequence, 'in order');
    // Our frame's memory was handed over, and was given back (closed) right after:
    // a closed frame's buffer is detached.
    assert.equal(f.data.byteLength, 0, `frame ${i} was closed`);
  }
  assert.equal(camera.readyState, 'ended');
});

test('video: padded or odd-sized pictures are copied, cut to even sizes', async () => {
  const [camera] = (await open({ video: { width: { exact: 321 }, height: { exact: 241 } } })).getVideoTracks();
  const { log, wrtc: fake } = stand_in();
  const sent = toWrtcTrack(camera, fake);
  await eventually(() => log.frames.length >= 3, 10_000, '3 frames');
  sent.stop();
  for (const f of log.frames) {
    assert.deepEqual([f.width, f.height], [320, 240]);
    assert.ok(f.data.byteLength > 0, 'a buffer of the adapter, not a frame');
    assert.notEqual(f.sequence, null);
  }
});

test("video: a track in another pixel format is switched to 'I420'; one that cannot give I420 is a TypeError", async () => {
  const [camera] = (await open({ video: { width: 160, height: 120, pixelFormat: { exact: 'RGBA' } } })).getVideoTracks();
  const { log, wrtc: fake } = stand_in();
  const sent = toWrtcTrack(camera, fake);
  await eventually(() => log.frames.length >= 3, 10_000, '3 frames');
  assert.equal(camera.getSettings().pixelFormat, 'I420');
  assert.deepEqual(camera.getConstraints().pixelFormat, { exact: 'I420' });
  assert.equal(camera.getConstraints().width, 160, 'the other constraints kept');
  sent.stop();

  const [other] = (await open({ video: { width: 160, height: 120, pixelFormat: { exact: 'RGBA' } } })).getVideoTracks();
  other.getCapabilities = () => ({ pixelFormat: ['MJPEG', 'RGBA'] }); // a camera without I420
  assert.throws(() => toWrtcTrack(other, fake), TypeError);
  assert.equal(other.readyState, 'live');
});

test('audio: exactly 10 ms of 16-bit samples per call, whatever the track latency, in order', async () => {
  for (const [latency, channelCount, sampleFormat] of [[0.025, 1, 'f32'], [0.005, 2, 'f32'], [0.01, 1, 's16']]) {
    const [microphone] = (await open({ audio: { latency, channelCount, sampleFormat: { exact: sampleFormat } } })).getAudioTracks();
    const { log, wrtc: fake } = stand_in();
    const sent = toWrtcTrack(microphone, fake);
    await eventually(() => log.audio.length >= 60, 10_000, '60 chunks');
    sent.stop();
    const { sampleRate } = microphone.getSettings();
    const what = `latency ${latency}, ${channelCount} channel(s), ${sampleFormat}`;
    for (const chunk of log.audio) {
      assert.deepEqual(
        [chunk.sampleRate, chunk.bitsPerSample, chunk.channelCount, chunk.numberOfFrames, chunk.samples.length],
        [sampleRate, 16, channelCount, sampleRate / 100, (sampleRate / 100) * channelCount],
        what,
      );
    }
    // Chunks cut from consecutive frames join up: the tone goes on at 440 Hz.
    const mono = [];
    for (const { samples } of log.audio) for (let i = 0; i < samples.length; i += channelCount) mono.push(samples[i]);
    const peak = mono.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    assert.ok(peak > 3000 && peak <= 32767, `${what}: 16-bit samples (peak ${peak})`);
    const hz = toneHz(mono, sampleRate);
    assert.ok(Math.abs(hz - 440) < 1, `${what}: the tone is continuous across chunks (${hz} Hz)`);
    for (let i = 1; i < mono.length; i++) {
      // no jump between neighbours bigger than the sine's steepest step, with room for rounding
      assert.ok(Math.abs(mono[i] - mono[i - 1]) <= peak * ((2 * Math.PI * 440) / sampleRate) + 2, `${what}: no gap at ${i}`);
    }
  }
});

// ---------------------------------------------------------------------------
// The package: ES module entry, exports, types.

test("import 'localmediastream/wrtc' gives the same function; package.json exports and ships it", async () => {
  const esm = await import(path.join(PACKAGE_DIR, 'wrtc.mjs'));
  assert.equal(esm.toWrtcTrack, toWrtcTrack);
  assert.equal(esm.default.toWrtcTrack, toWrtcTrack);
  const manifest = require(path.join(PACKAGE_DIR, 'package.json'));
  assert.deepEqual(manifest.exports['./wrtc'], {
    import: { types: './wrtc.d.mts', default: './wrtc.mjs' },
    require: { types: './wrtc.d.ts', default: './wrtc.js' },
  });
  for (const file of ['wrtc.js', 'wrtc.mjs', 'wrtc.d.ts', 'wrtc.d.mts']) {
    assert.ok(manifest.files.includes(file), `files has ${file}`);
    assert.ok(fs.existsSync(path.join(PACKAGE_DIR, file)), file);
  }
  assert.equal(manifest.peerDependenciesMeta['@roamhq/wrtc'].optional, true);
  assert.match(manifest.devDependencies['@roamhq/wrtc'], /^\d+\.\d+\.\d+$/, 'an exact version');
});

test('the wrtc types check with tsc --strict', () => {
  const tsc = path.join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc');
  const args = [
    tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', '--moduleResolution', 'node10',
    '--types', 'node', '--typeRoots', path.join(PACKAGE_DIR, 'node_modules/@types'),
    path.join(__dirname, 'typings/wrtc.ts'), path.join(PACKAGE_DIR, 'wrtc.d.ts'), path.join(PACKAGE_DIR, 'index.d.ts'),
  ];
  try {
    execFileSync(process.execPath, args, { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc reported:\n${e.stdout}${e.stderr}`);
  }
  const exported = Object.keys(require(path.join(PACKAGE_DIR, 'wrtc.js')));
  assert.deepEqual(exported, ['toWrtcTrack'], 'wrtc.d.ts declares the one runtime export');
});
