'use strict';
// Raw frames as a browser gives them: MediaStreamTrackProcessor's
// ReadableStream of WebCodecs VideoFrames (fake camera) and AudioData (fake
// microphone), over the library's frames without a copy.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ReadableStream } = require('node:stream/web');
const native = require('../../bindings/node/native.js');
const { lms, PACKAGE_DIR, useFakeDevices, open, stopAll, sleep } = require('./helpers.js');

const { MediaStreamTrackProcessor, AudioData } = lms;

useFakeDevices();
test.after(stopAll);

/** The I420 planes of a packed copyTo() output, as Buffers, and the number the fake camera painted in them. */
function decodeI420(bytes, width, height) {
  const y = width * height;
  const c = (width / 2) * (height / 2);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const planes = [buffer.subarray(0, y), buffer.subarray(y, y + c), buffer.subarray(y + c, y + 2 * c)];
  return lms.decodeSequence({ kind: 'video', format: 'I420', width, height, planes });
}

async function sequenceOf(frame) {
  const bytes = new Uint8Array(frame.allocationSize());
  await frame.copyTo(bytes);
  return decodeI420(bytes, frame.codedWidth, frame.codedHeight);
}

test('the processor gives VideoFrames with the WebCodecs attributes', async () => {
  const [track] = (await open({ video: { width: 320, height: 240, frameRate: 30 } })).getTracks();
  const processor = new MediaStreamTrackProcessor({ track });
  assert.ok(processor.readable instanceof ReadableStream, "Node's own WHATWG ReadableStream");
  assert.equal(processor.readable, processor.readable);
  const reader = processor.readable.getReader();
  const { value: frame, done } = await reader.read();
  assert.equal(done, false);
  assert.equal(Object.prototype.toString.call(frame), '[object VideoFrame]');
  assert.equal(frame.format, 'I420');
  assert.deepEqual([frame.codedWidth, frame.codedHeight, frame.displayWidth, frame.displayHeight], [320, 240, 320, 240]);
  assert.deepEqual(frame.visibleRect.toJSON(), { x: 0, y: 0, width: 320, height: 240, top: 0, right: 320, bottom: 240, left: 0 });
  assert.equal(frame.codedRect.width, 320);
  assert.equal(frame.duration, Math.round(1e6 / 30));
  assert.ok(Number.isInteger(frame.timestamp) && frame.timestamp > 0);
  assert.deepEqual(frame.colorSpace.toJSON(), { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false });
  assert.equal(frame.allocationSize(), 320 * 240 * 3 / 2);
  const bytes = new Uint8Array(frame.allocationSize());
  const layout = await frame.copyTo(bytes);
  assert.deepEqual(layout, [
    { offset: 0, stride: 320 },
    { offset: 320 * 240, stride: 160 },
    { offset: 320 * 240 + 160 * 120, stride: 160 },
  ]);
  assert.equal(typeof decodeI420(bytes, 320, 240), 'number', 'the copy is the picture the camera painted');
  frame.close();
  await reader.cancel();
  track.stop();
});

test('a reader that closes every frame never makes the camera drop; sequences increase', async () => {
  const [track] = (await open({ video: { width: 320, height: 240 } })).getTracks(); // unpaced
  const held = native.framesHeld();
  let last = -1;
  let count = 0;
  let maxHeld = 0;
  for await (const frame of new MediaStreamTrackProcessor({ track }).readable) {
    const sequence = await sequenceOf(frame);
    assert.ok(sequence > last, `sequence ${sequence} after ${last}`);
    last = sequence;
    frame.close();
    maxHeld = Math.max(maxHeld, native.framesHeld() - held);
    if (++count === 300) break; // cancels the stream
  }
  assert.equal(track.getStats().framesDropped, 0);
  assert.ok(maxHeld < 24, `closed frames go back to the camera (at most ${maxHeld} held at once)`);
  assert.equal(track.readyState, 'live', 'cancelling the stream leaves the track live');
  const direct = await track.readFrame({ timeout: 10_000 });
  direct.close();
  track.stop();
});

test('a paced camera read by a processor: every frame, in order, none dropped', async () => {
  useFakeDevices({ fake: { pacing: 'realtime' } });
  try {
    const [track] = (await open({ video: { width: 160, height: 120, frameRate: 30 } })).getTracks();
    const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: 8 }).readable.getReader();
    let last = null;
    for (let i = 0; i < 30; i++) {
      const { value: frame } = await reader.read();
      const sequence = await sequenceOf(frame);
      frame.close();
      if (last !== null) assert.equal(sequence, last + 1, 'contiguous');
      last = sequence;
    }
    assert.equal(track.getStats().framesDropped, 0);
    await reader.cancel();
    track.stop();
  } finally {
    useFakeDevices();
  }
});

test('maxBufferSize: a reader that falls behind gets the newest frames, the older ones are dropped', async () => {
  useFakeDevices({ fake: { pacing: 'realtime' } });
  try {
    const [track] = (await open({ video: { width: 160, height: 120, frameRate: 30 } })).getTracks();
    const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: 2 }).readable.getReader();
    const first = (await reader.read()).value;
    const s0 = await sequenceOf(first);
    first.close();
    await sleep(400); // ~12 frames come meanwhile
    const a = (await reader.read()).value;
    const b = (await reader.read()).value;
    const [s1, s2] = [await sequenceOf(a), await sequenceOf(b)];
    a.close();
    b.close();
    assert.ok(s1 - s0 >= 4, `old frames were dropped (${s0} then ${s1})`);
    assert.equal(s2, s1 + 1, 'the two newest were kept');
    await reader.cancel();
    track.stop();
  } finally {
    useFakeDevices();
  }
});

test('the track ending closes the stream; frames already taken are read first', async () => {
  const [track] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  (await reader.read()).value.close();
  track.stop();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    value.close();
  }
  await reader.closed;
});

test('close(), clone(): the memory goes back when the last clone closes; closed frames are empty', async () => {
  const [track] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const frame = (await reader.read()).value;
  await reader.cancel();
  track.stop();
  const before = new Uint8Array(frame.allocationSize());
  await frame.copyTo(before);
  const turns = async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  await turns();
  const held = native.framesHeld();
  const copy = frame.clone();
  assert.notEqual(copy, frame);
  frame.close();
  frame.close(); // again: nothing
  await turns();
  assert.equal(native.framesHeld(), held, 'a clone still holds the frame');
  assert.equal(frame.format, null);
  assert.deepEqual([frame.codedWidth, frame.codedHeight, frame.displayWidth, frame.displayHeight], [0, 0, 0, 0]);
  assert.equal(frame.visibleRect, null);
  assert.equal(frame.codedRect, null);
  assert.throws(() => frame.allocationSize(), { name: 'InvalidStateError' });
  assert.throws(() => frame.clone(), { name: 'InvalidStateError' });
  await assert.rejects(frame.copyTo(new Uint8Array(before.length)), { name: 'InvalidStateError' });
  const after = new Uint8Array(copy.allocationSize());
  await copy.copyTo(after);
  assert.deepEqual(after, before, 'the clone still reads the picture');
  assert.equal(copy.timestamp, frame.timestamp);
  copy.close();
  await turns();
  assert.equal(native.framesHeld(), held - 1, 'closing the last clone gave the frame back');
});

test('copyTo() honours rect and layout, and refuses what WebCodecs refuses', async () => {
  const [track] = (await open({ video: { width: 64, height: 48 } })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const frame = (await reader.read()).value;
  await reader.cancel();
  const whole = new Uint8Array(frame.allocationSize());
  await frame.copyTo(whole);
  const [w, h] = [64, 48];
  const at = (plane, x, y) => [0, w * h, w * h + (w / 2) * (h / 2)][plane] + y * [w, w / 2, w / 2][plane] + x;

  const rect = { x: 8, y: 4, width: 16, height: 10 };
  assert.equal(frame.allocationSize({ rect }), 16 * 10 + 2 * 8 * 5);
  const part = new Uint8Array(frame.allocationSize({ rect }));
  const partLayout = await frame.copyTo(part, { rect });
  assert.deepEqual(partLayout, [{ offset: 0, stride: 16 }, { offset: 160, stride: 8 }, { offset: 200, stride: 8 }]);
  assert.equal(part[3 * 16 + 5], whole[at(0, 8 + 5, 4 + 3)]);
  assert.equal(part[160 + 2 * 8 + 1], whole[at(1, 4 + 1, 2 + 2)]);
  assert.equal(part[200 + 4 * 8 + 7], whole[at(2, 4 + 7, 2 + 4)]);

  // Padded rows, planes in another order.
  const layout = [{ offset: 1000, stride: 80 }, { offset: 0, stride: 40 }, { offset: 4840, stride: 32 }];
  const size = frame.allocationSize({ layout });
  assert.equal(size, 4840 + 32 * 24);
  const padded = new Uint8Array(size);
  assert.deepEqual(await frame.copyTo(padded, { layout }), layout);
  assert.equal(padded[1000 + 80 * 47 + 63], whole[at(0, 63, 47)]);
  assert.equal(padded[40 * 23 + 31], whole[at(1, 31, 23)]);
  assert.equal(padded[4840 + 32 * 5 + 6], whole[at(2, 6, 5)]);

  await assert.rejects(frame.copyTo(new Uint8Array(10)), TypeError, 'too small');
  await assert.rejects(frame.copyTo(whole, { rect: { x: 1, y: 0, width: 4, height: 4 } }), TypeError, 'odd x for I420');
  await assert.rejects(frame.copyTo(whole, { rect: { x: 0, y: 0, width: 65, height: 4 } }), TypeError, 'beyond');
  await assert.rejects(frame.copyTo(whole, { layout: [{ offset: 0, stride: 64 }] }), TypeError, 'plane count');
  await assert.rejects(
    frame.copyTo(new Uint8Array(10_000), { layout: [{ offset: 0, stride: 64 }, { offset: 100, stride: 32 }, { offset: 5000, stride: 32 }] }),
    TypeError,
    'overlapping planes',
  );
  await assert.rejects(frame.copyTo(whole, { layout: [{ offset: 0, stride: 10 }, { offset: 0, stride: 32 }, { offset: 0, stride: 32 }] }), TypeError);
  await assert.rejects(frame.copyTo(whole, { format: 'NV12' }), { name: 'NotSupportedError' }, 'no conversion to NV12');
  await assert.rejects(frame.copyTo('not a buffer'), TypeError);
  frame.close();
});

test('NV12 and RGBA frames keep their WebCodecs names; formats WebCodecs cannot name have format null', async () => {
  for (const [pixelFormat, format, planes] of [['NV12', 'NV12', 2], ['RGBA', 'RGBA', 1], ['BGRA', 'BGRA', 1]]) {
    const [track] = (await open({ video: { width: 32, height: 16, pixelFormat: { exact: pixelFormat } } })).getTracks();
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    const frame = (await reader.read()).value;
    await reader.cancel();
    assert.equal(frame.format, format);
    const layout = await frame.copyTo(new Uint8Array(frame.allocationSize()));
    assert.equal(layout.length, planes);
    if (format !== 'NV12') assert.equal(frame.colorSpace.matrix, 'rgb');
    frame.close();
    track.stop();
  }
  const [track] = (await open({ video: { width: 32, height: 16, pixelFormat: { exact: 'YUY2' } } })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const frame = (await reader.read()).value;
  await reader.cancel();
  assert.equal(frame.format, null);
  assert.equal(frame.codedWidth, 32);
  assert.throws(() => frame.allocationSize(), { name: 'NotSupportedError', message: /pixelFormat 'I420'/ });
  await assert.rejects(frame.copyTo(new Uint8Array(4096)), { name: 'NotSupportedError' });
  frame.close();
});

test('the fake microphone as AudioData: a 440 Hz tone, planar copies of interleaved samples', async () => {
  const [track] = (await open({ audio: { channelCount: 2, sampleRate: 48000 } })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: 100 }).readable.getReader();
  const left = [];
  for (let i = 0; i < 30; i++) {
    const { value: data } = await reader.read();
    assert.equal(Object.prototype.toString.call(data), '[object AudioData]');
    assert.ok(data instanceof AudioData);
    assert.equal(data.format, 'f32');
    assert.deepEqual([data.sampleRate, data.numberOfChannels, data.numberOfFrames], [48000, 2, 480]);
    assert.equal(data.duration, 10_000);
    assert.equal(data.allocationSize({ planeIndex: 0 }), 480 * 2 * 4);
    assert.equal(data.allocationSize({ planeIndex: 1, format: 'f32-planar' }), 480 * 4);
    const interleaved = new Float32Array(480 * 2);
    data.copyTo(interleaved, { planeIndex: 0 });
    const channel = new Float32Array(480);
    data.copyTo(channel, { planeIndex: 0, format: 'f32-planar' });
    assert.deepEqual(channel, interleaved.filter((_, k) => k % 2 === 0));
    const right = new Float32Array(100);
    data.copyTo(right, { planeIndex: 1, format: 'f32-planar', frameOffset: 10, frameCount: 100 });
    assert.deepEqual(right, interleaved.filter((_, k) => k % 2 === 1).slice(10, 110));
    const s16 = new Int16Array(480);
    data.copyTo(s16, { planeIndex: 0, format: 's16-planar' });
    assert.ok(s16.every((v, k) => Math.abs(v / 32768 - channel[k]) < 1e-4));
    assert.throws(() => data.copyTo(channel, { planeIndex: 2, format: 'f32-planar' }), RangeError);
    assert.throws(() => data.copyTo(channel, { planeIndex: 1 }), RangeError, 'interleaved: one plane');
    assert.throws(() => data.copyTo(new Float32Array(10), { planeIndex: 0 }), RangeError, 'too small');
    assert.throws(() => data.copyTo(channel, { frameOffset: 0 }), TypeError, 'planeIndex is required');
    assert.throws(() => data.copyTo(channel, { planeIndex: 0, format: 'u8' }), { name: 'NotSupportedError' });
    left.push(...channel);
    data.close();
    assert.equal(data.format, null);
    assert.equal(data.numberOfFrames, 0);
    assert.throws(() => data.copyTo(channel, { planeIndex: 0 }), { name: 'InvalidStateError' });
  }
  await reader.cancel();
  // Zero crossings within each chunk: an unpaced microphone runs as fast as
  // the processor reads, and the processor drops its oldest chunks once
  // maxBufferSize wait (a reader busy with these checks on a loaded machine
  // can let that happen), so the tone is measured chunk by chunk: the half
  // periods between each chunk's first and last zero crossings.
  let halfPeriods = 0;
  let span = 0;
  for (let c = 0; c + 480 <= left.length; c += 480) {
    let first = -1;
    let last = -1;
    let n = 0;
    for (let k = c + 1; k < c + 480; k++) {
      if ((left[k - 1] < 0) !== (left[k] < 0)) {
        const at = k - 1 + left[k - 1] / (left[k - 1] - left[k]);
        if (first < 0) first = at;
        last = at;
        n++;
      }
    }
    if (n > 1) {
      halfPeriods += n - 1;
      span += last - first;
    }
  }
  const hz = halfPeriods / 2 / (span / 48000);
  assert.ok(Math.abs(hz - 440) < 5, `a 440 Hz tone in every chunk (${hz.toFixed(1)} Hz from zero crossings)`);
});

test('s16 audio, AudioData clones, and new AudioData() from samples', async () => {
  const [track] = (await open({ audio: { sampleFormat: { exact: 's16' } } })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const data = (await reader.read()).value;
  await reader.cancel();
  assert.equal(data.format, 's16');
  const copy = data.clone();
  data.close();
  const samples = new Int16Array(copy.numberOfFrames * copy.numberOfChannels);
  copy.copyTo(samples, { planeIndex: 0 });
  assert.ok(samples.some((v) => v !== 0));
  const f32 = new Float32Array(copy.numberOfFrames);
  copy.copyTo(f32, { planeIndex: 0, format: 'f32-planar' });
  assert.equal(f32[5], samples[5 * copy.numberOfChannels] / 32768);
  copy.close();

  const made = new AudioData({
    format: 's16-planar', sampleRate: 8000, numberOfFrames: 3, numberOfChannels: 2, timestamp: 42,
    data: new Int16Array([1, 2, 3, -4, -5, -6]),
  });
  assert.deepEqual([made.format, made.sampleRate, made.numberOfFrames, made.numberOfChannels, made.timestamp, made.duration], ['s16-planar', 8000, 3, 2, 42, 375]);
  const out = new Int16Array(6);
  made.copyTo(out, { planeIndex: 0, format: 's16' });
  assert.deepEqual([...out], [1, -4, 2, -5, 3, -6]);
  assert.throws(() => new AudioData(), TypeError);
  assert.throws(() => new AudioData({ format: 's16' }), TypeError);
  assert.throws(() => new AudioData({ format: 'u8', sampleRate: 1, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0, data: new Uint8Array(1) }), { name: 'NotSupportedError' });
});

test('MediaStreamTrackProcessor: a TypeError for no track, something else, or an ended track', async () => {
  assert.throws(() => new MediaStreamTrackProcessor(), TypeError);
  assert.throws(() => new MediaStreamTrackProcessor({}), TypeError);
  assert.throws(() => new MediaStreamTrackProcessor({ track: {} }), TypeError);
  assert.throws(() => new MediaStreamTrackProcessor(42), TypeError);
  const [track] = (await open({ video: true })).getTracks();
  assert.throws(() => new MediaStreamTrackProcessor({ track, maxBufferSize: -1 }), TypeError);
  assert.throws(() => new MediaStreamTrackProcessor({ track, maxBufferSize: 70_000 }), TypeError);
  assert.throws(() => MediaStreamTrackProcessor({ track }), TypeError, 'not without new');
  track.stop();
  assert.throws(() => new MediaStreamTrackProcessor({ track }), TypeError);
});

test('shaped as WebIDL interfaces: enumerable accessors, brand checks, toStringTag', async () => {
  const [track] = (await open({ video: { width: 32, height: 16 } })).getTracks();
  const processor = new MediaStreamTrackProcessor({ track });
  const frame = (await processor.readable.getReader().read()).value;
  const VideoFrame = frame.constructor;
  for (const [Class, attributes, operations] of [
    [MediaStreamTrackProcessor, ['readable'], []],
    [VideoFrame, ['format', 'codedWidth', 'codedHeight', 'visibleRect', 'timestamp', 'duration', 'colorSpace'], ['copyTo', 'allocationSize', 'clone', 'close']],
    [AudioData, ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'duration', 'timestamp'], ['copyTo', 'allocationSize', 'clone', 'close']],
  ]) {
    for (const name of attributes) {
      const d = Object.getOwnPropertyDescriptor(Class.prototype, name);
      assert.ok(d.enumerable && d.configurable && typeof d.get === 'function', `${Class.name}.${name}`);
      assert.throws(() => d.get.call({}), TypeError, `${Class.name}.${name} brand check`);
    }
    for (const name of operations) {
      const d = Object.getOwnPropertyDescriptor(Class.prototype, name);
      assert.ok(d.enumerable && typeof d.value === 'function', `${Class.name}.${name}`);
    }
  }
  assert.throws(() => AudioData.prototype.close.call(frame), TypeError);
  await assert.rejects(VideoFrame.prototype.copyTo.call({}, new Uint8Array(8)), TypeError);
  assert.throws(() => new VideoFrame(), TypeError);
  assert.equal(String(processor), '[object MediaStreamTrackProcessor]');
  frame.close();
  track.stop();
});

test('the processor types check with tsc --strict', () => {
  const tsc = path.join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc');
  const args = [
    tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', '--moduleResolution', 'node10',
    '--types', 'node', '--typeRoots', path.join(PACKAGE_DIR, 'node_modules/@types'),
    path.join(__dirname, 'typings/processor.ts'), path.join(PACKAGE_DIR, 'index.d.ts'),
  ];
  try {
    execFileSync(process.execPath, args, { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc reported:\n${e.stdout}${e.stderr}`);
  }
});

test('cancelling while a read waits ends that read; the track stays live', async () => {
  const [track] = (await open({ video: { width: 32, height: 16 } })).getTracks();
  lms.fakeDeviceControl(track.getSettings().deviceId, 'mute'); // no frames come
  try {
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    for (;;) {
      // Take what was queued before the mute, until a read waits.
      const next = reader.read();
      const first = await Promise.race([next, sleep(300).then(() => null)]);
      if (first === null) {
        await reader.cancel();
        assert.deepEqual(await next, { value: undefined, done: true });
        break;
      }
      first.value.close();
    }
    assert.equal(track.readyState, 'live');
  } finally {
    lms.fakeDeviceControl(track.getSettings().deviceId, 'unmute');
    track.stop();
  }
});
