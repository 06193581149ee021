'use strict';
// Frames: order, identity, zero-copy Buffers and their lifetime, async
// iteration, and reads that never block the event loop.

const test = require('node:test');
const assert = require('node:assert/strict');
const native = require('../../bindings/node/native.js');
const { lms, useFakeDevices, open, stopAll, sleep, eventually, collectGarbage } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

test('frames arrive in sequence order, none lost or repeated, each the picture it claims to be', async () => {
  const [t] = (await open({ video: { width: 320, height: 240 } })).getTracks();
  let last = null;
  for (let i = 0; i < 300; i++) {
    const f = await t.readFrame({ timeout: 10_000 });
    assert.equal(lms.decodeSequence(f), f.sequence, 'the painted number matches');
    if (last !== null) assert.equal(f.sequence, last + 1, 'a single reader of an unpaced source loses nothing');
    last = f.sequence;
  }
  assert.equal(t.getStats().framesDropped, 0);
  assert.ok(t.getStats().framesDelivered >= 300);
});

test('a video frame has its layout, and its planes are views of one buffer (no copy)', async () => {
  await collectGarbage(); // frames of earlier tests are given back
  const [t] = (await open({ video: { width: 320, height: 240 } })).getTracks();
  const held = native.framesHeld();
  const f = await t.readFrame({ timeout: 10_000 });
  assert.equal(native.framesHeld(), held + 1, 'the frame memory is lent, not copied');
  assert.equal(f.kind, 'video');
  assert.equal(f.format, 'I420');
  assert.deepEqual([f.width, f.height], [320, 240]);
  assert.deepEqual(f.strides, [320, 160, 160]);
  assert.deepEqual(f.planes.map((p) => p.length), [320 * 240, 160 * 120, 160 * 120]);
  assert.ok(f.planes.every((p) => Buffer.isBuffer(p)));
  assert.ok(f.planes.every((p) => p.buffer === f.planes[0].buffer), 'one ArrayBuffer under every plane');
  assert.deepEqual(f.planes.map((p) => p.byteOffset), [0, 320 * 240, 320 * 240 + 160 * 120]);
  assert.equal(typeof f.timestamp, 'number');
  assert.ok(Number.isInteger(f.sequence));
  assert.equal(f.closed, false);
});

test('other pixel formats: one plane for packed RGB, and the picture still carries its number', async () => {
  const [t] = (await open({ video: { width: 160, height: 120, pixelFormat: { exact: 'RGB24' } } })).getTracks();
  const f = await t.readFrame({ timeout: 10_000 });
  assert.equal(f.format, 'RGB24');
  assert.deepEqual(f.planes.map((p) => p.length), [160 * 120 * 3]);
  assert.deepEqual(f.strides, [160 * 3]);
  assert.equal(lms.decodeSequence(f), f.sequence);
});

test('an audio frame: interleaved samples as a typed view of its one plane', async () => {
  const [t] = (await open({ audio: { channelCount: 2, sampleRate: 48000 } })).getTracks();
  const f = await t.readFrame({ timeout: 10_000 });
  assert.equal(f.kind, 'audio');
  assert.equal(f.format, 'f32');
  assert.deepEqual([f.sampleRate, f.channels, f.sampleCount], [48000, 2, 480]);
  assert.ok(f.samples instanceof Float32Array);
  assert.equal(f.samples.length, 480 * 2);
  assert.equal(f.samples.buffer, f.planes[0].buffer, 'no copy');
  assert.ok(f.samples.some((x) => x !== 0) && f.samples.every((x) => x >= -1 && x <= 1));
  const [s16] = (await open({ audio: { sampleFormat: { exact: 's16' } } })).getTracks();
  const g = await s16.readFrame({ timeout: 10_000 });
  assert.equal(g.format, 's16');
  assert.ok(g.samples instanceof Int16Array);
  assert.equal(g.samples.length, g.sampleCount * g.channels);
});

test('Buffers stay valid after the track stops, and while the device goes on capturing', async () => {
  const [t] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  const other = t.clone();
  const f = await t.readFrame({ timeout: 10_000 });
  const snapshot = f.planes.map((p) => Buffer.from(p)); // copies, to compare with
  t.stop();
  for (let i = 0; i < 200; i++) await other.readFrame({ timeout: 10_000 }); // the pool goes round
  other.stop();
  await collectGarbage();
  f.planes.forEach((p, i) => assert.ok(p.equals(snapshot[i]), `plane ${i} unchanged`));
  assert.equal(lms.decodeSequence(f), f.sequence);
});

test('frames kept by the application never starve the device', async () => {
  const [t] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  const kept = [];
  let last = null;
  for (let i = 0; i < 200; i++) {
    const f = await t.readFrame({ timeout: 10_000 });
    if (last !== null) assert.equal(f.sequence, last + 1, `frame ${i}: no frame lost while 200 are kept`);
    last = f.sequence;
    kept.push(f);
  }
  assert.ok(kept.every((f) => lms.decodeSequence(f) === f.sequence), 'every kept frame is still its picture');
  for (const f of kept) f.close();
});

test('close() empties a frame at once and gives its memory back to the device', async () => {
  const [t] = (await open({ video: { deviceId: { exact: 'fake:video:1' }, width: 160, height: 120 } })).getTracks();
  const f = await t.readFrame({ timeout: 10_000 });
  const held = native.framesHeld();
  f.close();
  assert.equal(f.closed, true);
  assert.ok(f.planes.every((p) => p.length === 0));
  f.close(); // again: nothing
  await new Promise((r) => setImmediate(r));
  assert.equal(native.framesHeld(), held - 1);
  assert.throws(() => lms.decodeSequence(f), (e) => e.name === 'InvalidStateError');
});

test('for await delivers frames in order and ends when the track is stopped', async () => {
  const [t] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  const sequences = [];
  for await (const f of t.frames()) {
    sequences.push(f.sequence);
    f.close();
    if (sequences.length === 50) t.stop();
  }
  assert.equal(sequences.length, 50, 'the loop ended by itself');
  sequences.forEach((s, i) => i > 0 && assert.equal(s, sequences[i - 1] + 1));
});

test('for await ends when the device goes away', async () => {
  const [t] = (await open({ video: { deviceId: { exact: 'fake:video:1' }, width: 160, height: 120 } })).getTracks();
  let n = 0;
  const loop = (async () => {
    for await (const f of t.frames()) {
      n++;
      f.close();
    }
  })();
  await eventually(() => n > 0, 20_000, 'a first frame');
  lms.fakeDeviceControl('fake:video:1', 'disconnect');
  await loop;
  assert.ok(n > 0);
  assert.equal(t.readyState, 'ended');
  lms.fakeDeviceControl('fake:video:1', 'reconnect');
});

test('the event loop keeps turning while a read waits', async () => {
  const [t] = (await open({ video: { deviceId: { exact: 'fake:video:1' }, width: 160, height: 120 } })).getTracks();
  lms.fakeDeviceControl('fake:video:1', 'mute');
  await sleep(20);
  while (await t.readFrame({ timeout: 0 }).then(() => true, () => false)); // empty the queue
  const started = Date.now();
  await assert.rejects(t.readFrame({ timeout: 500 }), (e) => e instanceof DOMException && e.name === 'TimeoutError');
  assert.ok(Date.now() - started >= 450, 'the read waited for its timeout');
  // A timer ticks 10 times while a read waits, then unmutes the device so that
  // the read gets its frame: counted in ticks, not in milliseconds. A read that
  // blocked the loop would stop the timer and time out instead.
  let ticks = 0;
  let settled = false;
  const read = t.readFrame({ timeout: 30_000 }).finally(() => (settled = true));
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (++ticks === 10) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  assert.ok(!settled, 'the read was still waiting after 10 ticks');
  lms.fakeDeviceControl('fake:video:1', 'unmute');
  assert.equal((await read).kind, 'video', 'frames come again after unmute');
});

test('concurrent reads of one track settle in order', async () => {
  const [t] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  const frames = await Promise.all(Array.from({ length: 20 }, () => t.readFrame({ timeout: 10_000 })));
  frames.forEach((f, i) => i > 0 && assert.equal(f.sequence, frames[i - 1].sequence + 1));
});

test('reading a stopped track rejects with EndedError; a pending read ends with it', async () => {
  const [t] = (await open({ video: { deviceId: { exact: 'fake:video:1' } } })).getTracks();
  lms.fakeDeviceControl('fake:video:1', 'mute');
  await sleep(20);
  while (await t.readFrame({ timeout: 0 }).then(() => true, () => false));
  const pending = t.readFrame();
  await sleep(50);
  t.stop();
  await assert.rejects(pending, (e) => e.name === 'EndedError');
  await assert.rejects(t.readFrame(), (e) => e.name === 'EndedError');
  lms.fakeDeviceControl('fake:video:1', 'unmute');
});
