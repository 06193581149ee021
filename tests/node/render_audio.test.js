'use strict';
// renderAudio(): the far end. A fake microphone that hears a speaker playing
// what was rendered (an echo, 40 ms later, at half amplitude) shows that the
// audio reached the library: the track without echo cancellation hears it,
// the track with echo cancellation has it removed. Bad input is a TypeError
// naming it, with nothing rendered.
//
// Every device here is unpaced: one 10 ms chunk of far end is rendered before
// each round of reads, so nothing depends on timing (as in
// crates/core/tests/audio_processing.rs). renderAudio() feeds every echo
// canceller of the process; node --test runs each file in its own process
// and the tests of a file one after the other, and each test stops its
// tracks, so nothing rendered here reaches another test.

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

const CHUNK = 480; // frames of one 10 ms chunk at 48 kHz, the fake microphone's rate
const ECHO = { signal: 'silence', echo: { delayMs: 40, gain: 0.5 } };

test.beforeEach(() => useFakeDevices({ queueSize: 2, fake: { video: 0, audio: [ECHO] } }));
test.afterEach(() => stopAll());

/** The next chunk's samples (a copy), checked to be f32 audio. */
async function chunk(track) {
  const f = await track.readFrame({ timeout: 30_000 });
  assert.equal(f.kind, 'audio');
  assert.equal(f.format, 'f32');
  const samples = Float32Array.from(f.samples);
  f.close();
  return samples;
}

/** Sum of squares and count of some chunks. */
function energy(chunks) {
  let sum = 0;
  let count = 0;
  for (const c of chunks) {
    for (const x of c) sum += x * x;
    count += c.length;
  }
  return { sum, count, meanSquare: count > 0 ? sum / count : 0 };
}

/** Read one chunk of each track per round (calling `before` first); the last `measured` chunks of each. */
async function run(tracks, rounds, measured, before) {
  const out = tracks.map(() => []);
  for (let i = 0; i < rounds; i++) {
    before(i);
    for (let t = 0; t < tracks.length; t++) {
      const c = await chunk(tracks[t]);
      if (i >= rounds - measured) out[t].push(c);
    }
  }
  return out;
}

/** Deterministic white noise in [-0.25, 0.25) (xorshift32), `n` samples at a time. */
function whiteNoise(seed) {
  let s = seed >>> 0;
  return (n) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = (s / 0xffffffff - 0.5) * 0.5;
    }
    return out;
  };
}

const db = (ratio) => 10 * Math.log10(ratio);

test('the rendered far end is heard by the microphone, and removed by echo cancellation', async () => {
  const [raw] = (await open({ audio: { echoCancellation: false } })).getAudioTracks();
  const cancelled = raw.clone();
  try {
    await cancelled.applyConstraints({ echoCancellation: { exact: 'remote-only' } });
    assert.equal(raw.getSettings().echoCancellation, false);
    assert.equal(cancelled.getSettings().echoCancellation, 'remote-only');

    // Nothing rendered yet: exact silence.
    const [quiet] = await run([raw, cancelled], 10, 10, () => {});
    assert.equal(energy(quiet).sum, 0);

    // White noise, mono at 48 kHz, before each round; the last 2 s measured, after 4 s of settling.
    const noise = whiteNoise(0x12345678);
    const [heard, residual] = await run([raw, cancelled], 600, 200, () => lms.renderAudio(noise(CHUNK), 48000, 1));
    const raw_ = energy(heard).meanSquare;
    // White noise of +-0.25 at gain 0.5: a mean square of about 0.0052.
    assert.ok(raw_ > 1e-3, `the raw track hears the echo at a mean square of only ${raw_}`);
    const erle = db(raw_ / Math.max(energy(residual).meanSquare, 1e-12));
    console.log(`echo cancellation: raw echo ${db(raw_).toFixed(1)} dBFS, residual ${erle.toFixed(1)} dB below it`);
    assert.ok(erle >= 15, `the residual echo is only ${erle.toFixed(1)} dB below the raw echo`);
  } finally {
    cancelled.stop();
  }
});

test('a stereo 44.1 kHz far end is converted and heard; channels defaults to 1', async () => {
  const [track] = (await open({ audio: true })).getAudioTracks();
  const noise = whiteNoise(0x0badcafe);
  // 441 frames of 2 channels: 10 ms at 44.1 kHz.
  const [tail] = await run([track], 100, 50, () => lms.renderAudio(noise(441 * 2), 44100, 2));
  // Two independent channels mixed to mono: about half the mean square of one.
  assert.ok(energy(tail).meanSquare > 5e-4, `${energy(tail).meanSquare}`);

  // Mono by default: once the noise has died away (silence rendered for 200 ms),
  // a loud chunk, then silence: heard exactly once.
  await run([track], 20, 0, () => lms.renderAudio(new Float32Array(CHUNK), 48000));
  const loud = Float32Array.from({ length: CHUNK }, (_, i) => (i % 2 ? 0.5 : -0.5));
  lms.renderAudio(loud, 48000);
  const [after] = await run([track], 20, 20, () => lms.renderAudio(new Float32Array(CHUNK), 48000));
  // 480 samples of +-0.5 at gain 0.5.
  const total = energy(after).sum;
  assert.ok(Math.abs(total - CHUNK * 0.0625) < 0.05 * CHUNK * 0.0625, `${total}`);
});

test('a view into a larger buffer renders only its own samples', async () => {
  const [track] = (await open({ audio: true })).getAudioTracks();
  const buffer = new Float32Array(3 * CHUNK).fill(0.5); // loud around the view
  const view = new Float32Array(buffer.buffer, CHUNK * 4, CHUNK / 2); // 5 ms of silence...
  view.fill(0);
  view[0] = 1; // ...but for one sample
  lms.renderAudio(view, 48000);
  const [tail] = await run([track], 20, 20, () => lms.renderAudio(new Float32Array(CHUNK), 48000));
  // That one sample at gain 0.5.
  assert.ok(Math.abs(energy(tail).sum - 0.25) < 0.01, `${energy(tail).sum}`);
});

test('bad input is a TypeError naming it, and nothing of it is rendered', async () => {
  const [track] = (await open({ audio: true })).getAudioTracks();
  const loud = new Float32Array(CHUNK).fill(0.5);
  const refused = (pattern, ...args) =>
    assert.throws(
      () => lms.renderAudio(...args),
      (e) => e instanceof TypeError && pattern.test(e.message),
      `renderAudio(${args.map(String).join(', ')}) must throw a TypeError matching ${pattern}`,
    );
  // The core's checks.
  refused(/sample rate 7999/, loud, 7999, 1);
  refused(/sample rate 384001/, loud, 384001, 1);
  refused(/sample rate 0/, loud, 0, 1);
  refused(/channel count 0/, loud, 48000, 0);
  refused(/channel count 33/, loud.subarray(0, 33 * 14), 48000, 33);
  refused(/whole number/, new Float32Array(481), 48000, 2);
  refused(/whole number/, new Float32Array(3), 48000, 2);
  const nan = loud.slice();
  nan[5] = NaN;
  refused(/samples\[5\]/, nan, 48000, 1);
  const inf = loud.slice();
  inf[9] = -Infinity;
  refused(/samples\[9\]/, inf, 48000, 2);
  // Types, named.
  refused(/samples must be a Float32Array.*got Float64Array/, new Float64Array(CHUNK), 48000, 1);
  refused(/samples must be a Float32Array.*got Int16Array/, new Int16Array(CHUNK), 48000, 1);
  refused(/samples must be a Float32Array.*got Array/, Array.from(loud), 48000, 1);
  refused(/samples must be a Float32Array.*got ArrayBuffer/, loud.buffer, 48000, 1);
  refused(/samples must be a Float32Array.*got Buffer/, Buffer.alloc(16), 48000, 1);
  refused(/samples must be a Float32Array.*got null/, null, 48000, 1);
  refused(/samples must be a Float32Array.*got string/, 'loud', 48000, 1);
  // sampleRate and channels: unsigned long / unsigned short with [EnforceRange], no fractions.
  refused(/sampleRate is not a finite number/, loud, NaN, 1);
  refused(/sampleRate is not a finite number/, loud, Infinity, 1);
  refused(/sampleRate is not a finite number/, loud, undefined, 1);
  refused(/sampleRate is outside the range/, loud, -1, 1);
  refused(/sampleRate is outside the range/, loud, 2 ** 32, 1);
  refused(/sampleRate is not an integer/, loud, 48000.5, 1);
  refused(/BigInt/, loud, 48000n, 1);
  refused(/channels is not a finite number/, loud, 48000, NaN);
  refused(/channels is outside the range/, loud, 48000, -1);
  refused(/channels is outside the range/, loud, 48000, 65536);
  refused(/channels is not an integer/, loud, 48000, 1.5);
  refused(/channels is not a finite number/, loud, 48000, 'two');
  refused(/channel count 70/, loud.subarray(0, 70 * 6), 48000, 70);
  refused(/2 arguments required/, loud);
  // What WebIDL converts is accepted: numeric strings, -0, numbers with a zero fraction.
  lms.renderAudio(new Float32Array(0), '48000', '2');
  lms.renderAudio(new Float32Array(0), 48000.0, 1.0);
  refused(/channel count 0/, new Float32Array(0), 48000, -0);

  // Nothing of those was rendered: one good call (10 ms at 0.5), then silence.
  lms.renderAudio(loud, 48000, 1);
  const [tail] = await run([track], 20, 20, () => lms.renderAudio(new Float32Array(CHUNK), 48000, 1));
  const total = energy(tail).sum;
  assert.ok(Math.abs(total - CHUNK * 0.0625) < 0.05 * CHUNK * 0.0625, `${total}`);
});

test('renderAudio is exported with the length of its required arguments', () => {
  assert.equal(typeof lms.renderAudio, 'function');
  assert.equal(lms.renderAudio.length, 2);
});
