'use strict';
// The WebCodecs VideoFrame as a browser has it: exported as lms.VideoFrame,
// constructible from bytes (copied) and from another frame (same memory), and
// copyTo() converting to RGBA, RGBX, BGRA or BGRX.

const test = require('node:test');
const assert = require('node:assert/strict');
const native = require('../../bindings/node/native.js');
const { frameMemory } = require('../../bindings/node/lib/video_frame.js');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

const { VideoFrame, MediaStreamTrackProcessor } = lms;

useFakeDevices();
test.after(stopAll);

const turns = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A `width` x `height` I420 picture, every pixel (y, u, v), packed. */
function uniformI420(width, height, [y, u, v]) {
  const [cw, ch] = [Math.ceil(width / 2), Math.ceil(height / 2)];
  const bytes = new Uint8Array(width * height + 2 * cw * ch);
  bytes.fill(y, 0, width * height);
  bytes.fill(u, width * height, width * height + cw * ch);
  bytes.fill(v, width * height + cw * ch);
  return bytes;
}

/** The first frame of a MediaStreamTrackProcessor on a fake camera. */
async function cameraFrame(constraints) {
  const [track] = (await open({ video: constraints })).getTracks();
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const frame = (await reader.read()).value;
  await reader.cancel();
  return { frame, track };
}

async function copyOf(frame, options) {
  const bytes = new Uint8Array(frame.allocationSize(options));
  const layout = await frame.copyTo(bytes, options);
  return { bytes, layout };
}

test('lms.VideoFrame is the WebCodecs class, the one the processor gives, in require() and import', async () => {
  assert.equal(typeof VideoFrame, 'function');
  assert.equal(VideoFrame.length, 1);
  assert.equal(VideoFrame.name, 'VideoFrame');
  assert.equal(Object.prototype.toString.call(VideoFrame.prototype), '[object VideoFrame]');
  const esm = await import('../../bindings/node/index.mjs');
  assert.equal(esm.VideoFrame, VideoFrame);
  const { frame, track } = await cameraFrame({ width: 32, height: 16 });
  assert.ok(frame instanceof VideoFrame);
  assert.equal(frame.constructor, VideoFrame);
  frame.close();
  track.stop();
  assert.throws(() => VideoFrame(new Uint8Array(4), { format: 'RGBA', codedWidth: 1, codedHeight: 1, timestamp: 0 }), TypeError, 'not without new');
});

test('new VideoFrame(data, init): an I420 picture in a padded layout, copied; the attributes', async () => {
  const [w, h] = [6, 4];
  // Y rows of 8 bytes (2 of padding), then V and U swapped in the buffer, chroma rows of 4 (1 of padding).
  const layout = [
    { offset: 0, stride: 8 },
    { offset: 8 * h + 4 * 2, stride: 4 },
    { offset: 8 * h, stride: 4 },
  ];
  const data = new Uint8Array(8 * h + 2 * 4 * 2).fill(0xee); // padding: 0xee
  const y = [];
  const u = [];
  const v = [];
  for (let row = 0; row < h; row++) for (let x = 0; x < w; x++) y.push((data[row * 8 + x] = 10 * row + x + 16));
  for (let row = 0; row < 2; row++) {
    for (let x = 0; x < 3; x++) {
      u.push((data[layout[1].offset + row * 4 + x] = 100 + 10 * row + x));
      v.push((data[layout[2].offset + row * 4 + x] = 200 + 10 * row + x));
    }
  }
  const frame = new VideoFrame(data, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 1234, duration: 33_333, layout });
  data.fill(0); // a copy: the frame does not see later writes
  assert.equal(Object.prototype.toString.call(frame), '[object VideoFrame]');
  assert.equal(frame.format, 'I420');
  assert.deepEqual([frame.codedWidth, frame.codedHeight, frame.displayWidth, frame.displayHeight], [w, h, w, h]);
  assert.deepEqual(frame.visibleRect.toJSON(), { x: 0, y: 0, width: w, height: h, top: 0, right: w, bottom: h, left: 0 });
  assert.deepEqual(frame.codedRect.toJSON(), frame.visibleRect.toJSON());
  assert.equal(frame.timestamp, 1234);
  assert.equal(frame.duration, 33_333);
  assert.equal(frame.rotation, 0);
  assert.equal(frame.flip, false);
  assert.deepEqual(frame.metadata(), {});
  assert.deepEqual(frame.colorSpace.toJSON(), { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false });
  const { bytes, layout: packed } = await copyOf(frame);
  assert.deepEqual(packed, [{ offset: 0, stride: 6 }, { offset: 24, stride: 3 }, { offset: 30, stride: 3 }]);
  assert.deepEqual([...bytes], [...y, ...u, ...v], 'byte-exact, padding gone');
  // And back: the copy in the same padded layout is the buffer given, padding aside.
  const again = new Uint8Array(data.length);
  assert.deepEqual(await frame.copyTo(again, { layout }), layout);
  const made = new VideoFrame(again, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 0, layout });
  assert.deepEqual((await copyOf(made)).bytes, bytes, 'round trip through a layout');
  made.close();
  frame.close();
  assert.equal(frame.format, null);
  assert.equal(frame.timestamp, 1234, 'the timestamp stays after close()');
  await assert.rejects(frame.copyTo(bytes), { name: 'InvalidStateError' });
});

test('new VideoFrame(data, init): RGBA from a Uint8Array view, visibleRect, display size, colour space, metadata', async () => {
  const [w, h] = [8, 4];
  const backing = new ArrayBuffer(16 + w * h * 4);
  const pixels = new Uint8Array(backing, 16, w * h * 4); // a view with an offset
  for (let i = 0; i < pixels.length; i++) pixels[i] = i & 0xff;
  const frame = new VideoFrame(pixels, {
    format: 'RGBA',
    codedWidth: w,
    codedHeight: h,
    timestamp: -5,
    visibleRect: { x: 2, y: 1, width: 4, height: 2 },
    displayWidth: 8,
    displayHeight: 4,
    metadata: { tag: 'x' },
  });
  assert.equal(frame.format, 'RGBA');
  assert.equal(frame.timestamp, -5);
  assert.equal(frame.duration, null);
  assert.deepEqual([frame.displayWidth, frame.displayHeight], [8, 4]);
  assert.deepEqual([frame.visibleRect.x, frame.visibleRect.y, frame.visibleRect.width, frame.visibleRect.height], [2, 1, 4, 2]);
  assert.equal(frame.colorSpace.matrix, 'rgb');
  const metadata = frame.metadata();
  assert.deepEqual(metadata, { tag: 'x' });
  metadata.tag = 'changed';
  assert.deepEqual(frame.metadata(), { tag: 'x' }, 'metadata() gives a copy');
  // copyTo() copies the visible rect by default.
  assert.equal(frame.allocationSize(), 4 * 2 * 4);
  const { bytes, layout } = await copyOf(frame);
  assert.deepEqual(layout, [{ offset: 0, stride: 16 }]);
  const expected = [];
  for (let row = 1; row < 3; row++) expected.push(...pixels.subarray((row * w + 2) * 4, (row * w + 6) * 4));
  assert.deepEqual([...bytes], expected);
  // The whole coded picture, byte-exact.
  const whole = await copyOf(frame, { rect: { x: 0, y: 0, width: w, height: h } });
  assert.deepEqual(whole.bytes, pixels);
  frame.close();

  const spaced = new VideoFrame(new SharedArrayBuffer(16), {
    format: 'BGRA', codedWidth: 2, codedHeight: 2, timestamp: 0, rotation: 90, colorSpace: { primaries: 'bt709', fullRange: true },
  });
  assert.deepEqual(spaced.colorSpace.toJSON(), { primaries: 'bt709', transfer: null, matrix: null, fullRange: true });
  assert.equal(spaced.rotation, 90);
  spaced.close();
});

test('RGBX and BGRX: 4 bytes a pixel, the 4th ignored; copied with alpha it is 255', async () => {
  const pixels = new Uint8Array([1, 2, 3, 0, 4, 5, 6, 7]);
  const frame = new VideoFrame(pixels, { format: 'RGBX', codedWidth: 2, codedHeight: 1, timestamp: 0 });
  assert.equal(frame.format, 'RGBX');
  assert.equal(frame.colorSpace.matrix, 'rgb');
  assert.deepEqual([...(await copyOf(frame)).bytes], [...pixels], 'its own format: a plain copy');
  assert.deepEqual([...(await copyOf(frame, { format: 'RGBA' })).bytes], [1, 2, 3, 255, 4, 5, 6, 255]);
  assert.deepEqual([...(await copyOf(frame, { format: 'BGRA' })).bytes], [3, 2, 1, 255, 6, 5, 4, 255]);
  const bgr = (await copyOf(frame, { format: 'BGRX' })).bytes;
  assert.deepEqual([bgr[0], bgr[1], bgr[2], bgr[4], bgr[5], bgr[6]], [3, 2, 1, 6, 5, 4]);
  const memory = frameMemory(frame);
  assert.equal(memory.format, 'RGBA', 'RGBX frames are RGBA memory');
  frame.close();
  const bgrx = new VideoFrame(pixels, { format: 'BGRX', codedWidth: 2, codedHeight: 1, timestamp: 0 });
  assert.equal(bgrx.format, 'BGRX');
  assert.equal(frameMemory(bgrx).format, 'BGRA');
  assert.deepEqual([...(await copyOf(bgrx, { format: 'RGBA' })).bytes], [3, 2, 1, 255, 6, 5, 4, 255]);
  bgrx.close();
  // alpha: 'discard' makes an RGBA frame RGBX.
  const rgba = new VideoFrame(pixels, { format: 'RGBA', codedWidth: 2, codedHeight: 1, timestamp: 0 });
  const opaque = new VideoFrame(rgba, { alpha: 'discard' });
  assert.equal(opaque.format, 'RGBX');
  assert.deepEqual([...(await copyOf(opaque, { format: 'RGBA' })).bytes], [1, 2, 3, 255, 4, 5, 6, 255]);
  opaque.close();
  rgba.close();
});

test('new VideoFrame(frame, init) over a fake camera frame: same memory, its own timestamp; closing the original leaves it readable', async () => {
  const { frame, track } = await cameraFrame({ width: 64, height: 48, frameRate: 30 });
  track.stop();
  const before = (await copyOf(frame)).bytes;
  await turns();
  const held = native.framesHeld();
  const later = new VideoFrame(frame, { timestamp: frame.timestamp + 1000 });
  assert.equal(later.timestamp, frame.timestamp + 1000);
  assert.equal(later.duration, frame.duration, 'the rest as the frame has it');
  assert.deepEqual([later.format, later.codedWidth, later.codedHeight, later.displayWidth], ['I420', 64, 48, 64]);
  const cropped = new VideoFrame(frame, { visibleRect: { x: 16, y: 8, width: 32, height: 16 }, duration: 5 });
  assert.deepEqual([cropped.displayWidth, cropped.displayHeight, cropped.duration, cropped.timestamp], [32, 16, 5, frame.timestamp]);
  frame.close();
  await turns();
  assert.equal(native.framesHeld(), held, 'the new frames still hold the camera memory');
  assert.equal(frame.format, null);
  assert.equal(later.format, 'I420', 'closing the original does not close the new frame');
  assert.deepEqual((await copyOf(later)).bytes, before, 'and its memory is still the picture');
  const part = (await copyOf(cropped)).bytes;
  assert.equal(part[0], before[8 * 64 + 16]);
  assert.throws(() => new VideoFrame(frame), { name: 'InvalidStateError' }, 'a closed frame');
  assert.throws(() => new VideoFrame(frame, { timestamp: 0 }), { name: 'InvalidStateError' });
  later.close();
  await turns();
  assert.equal(native.framesHeld(), held, 'one frame still shares it');
  cropped.close();
  await turns();
  assert.equal(native.framesHeld(), held - 1, 'closing the last gives the memory back to the camera');
});

test('new VideoFrame(frame, init): a visible rect inside the coded size, aligned; display sizes in pairs', async () => {
  const frame = new VideoFrame(uniformI420(8, 8, [16, 128, 128]), { format: 'I420', codedWidth: 8, codedHeight: 8, timestamp: 0, displayWidth: 16, displayHeight: 8 });
  const half = new VideoFrame(frame, { visibleRect: { x: 0, y: 0, width: 4, height: 8 } });
  assert.deepEqual([half.displayWidth, half.displayHeight], [8, 8], "the frame's display scale applied to the new rect");
  const turned = new VideoFrame(half, { rotation: 90, flip: true });
  assert.deepEqual([turned.rotation, turned.flip, turned.displayWidth, turned.displayHeight], [90, true, 8, 8]);
  assert.throws(() => new VideoFrame(frame, { visibleRect: { x: 4, y: 4, width: 8, height: 2 } }), TypeError, 'outside');
  assert.throws(() => new VideoFrame(frame, { visibleRect: { x: 1, y: 0, width: 2, height: 2 } }), TypeError, 'odd x');
  assert.throws(() => new VideoFrame(frame, { displayWidth: 4 }), TypeError, 'displayWidth alone');
  assert.throws(() => new VideoFrame(frame, { alpha: 'maybe' }), TypeError);
  for (const f of [frame, half, turned]) f.close();
});

test('new VideoFrame(): a TypeError for each thing WebCodecs refuses, naming it', () => {
  const good = { format: 'I420', codedWidth: 4, codedHeight: 2, timestamp: 0 };
  const data = new Uint8Array(12);
  const rejects = (make, message, what) => assert.throws(make, (e) => e instanceof TypeError && message.test(e.message), what);
  rejects(() => new VideoFrame(), /1 argument required/, 'no argument');
  rejects(() => new VideoFrame(42, good), /first argument/, 'not a buffer nor a frame');
  rejects(() => new VideoFrame({}, good), /first argument/, 'a plain object');
  rejects(() => new VideoFrame(data), /required member format/, 'no init');
  for (const key of ['format', 'codedWidth', 'codedHeight', 'timestamp']) {
    const init = { ...good };
    delete init[key];
    rejects(() => new VideoFrame(data, init), new RegExp(`required member ${key}`), `missing ${key}`);
  }
  rejects(() => new VideoFrame(data, { ...good, codedWidth: 0 }), /codedWidth and init\.codedHeight must not be 0/, 'codedWidth 0');
  rejects(() => new VideoFrame(data, { ...good, codedHeight: 0 }), /must not be 0/, 'codedHeight 0');
  rejects(() => new VideoFrame(data, { ...good, codedWidth: -1 }), /codedWidth/, 'codedWidth negative');
  rejects(() => new VideoFrame(data, { ...good, format: 'YUY2' }), /'YUY2' is not a VideoPixelFormat/, 'unknown format');
  rejects(() => new VideoFrame(data, { ...good, format: 'i420' }), /not a VideoPixelFormat/, 'formats are case-sensitive');
  rejects(() => new VideoFrame(data, { ...good, timestamp: NaN }), /timestamp/, 'timestamp not finite');
  rejects(() => new VideoFrame(data, { ...good, visibleRect: { x: 2, y: 0, width: 4, height: 2 } }), /visibleRect.*beyond the 4x2/, 'visibleRect outside');
  rejects(() => new VideoFrame(data, { ...good, visibleRect: { x: 0, y: 0, width: 2, height: 3 } }), /visibleRect.*beyond/, 'visibleRect taller');
  rejects(() => new VideoFrame(data, { ...good, visibleRect: { x: 1, y: 0, width: 2, height: 2 } }), /visibleRect.*even for I420/, 'visibleRect odd x');
  rejects(() => new VideoFrame(data, { ...good, visibleRect: { x: 0, y: 1, width: 2, height: 1 } }), /even for I420/, 'visibleRect odd y');
  rejects(() => new VideoFrame(data, { ...good, visibleRect: { x: 0, y: 0, width: 0, height: 2 } }), /visibleRect is empty/, 'empty visibleRect');
  rejects(() => new VideoFrame(data, { ...good, visibleRect: { x: -2, y: 0, width: 2, height: 2 } }), /visibleRect\.x/, 'negative x');
  rejects(() => new VideoFrame(new Uint8Array(11), good), /data has 11 bytes.*needs 12/, 'data too small');
  rejects(() => new VideoFrame(new Uint8Array(15), { ...good, format: 'RGBA' }), /data has 15 bytes.*needs 32/, 'RGBA data too small');
  rejects(
    () => new VideoFrame(data, { ...good, layout: [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }] }),
    /I420 has 3 planes, layout gives 2/,
    'wrong plane count',
  );
  rejects(
    () => new VideoFrame(new Uint8Array(64), { ...good, layout: [{ offset: 0, stride: 3 }, { offset: 16, stride: 2 }, { offset: 32, stride: 2 }] }),
    /layout\[0\]\.stride 3 is less than a row \(4 bytes\)/,
    'stride smaller than a row',
  );
  rejects(
    () => new VideoFrame(new Uint8Array(64), { ...good, layout: [{ offset: 0, stride: 4 }, { offset: 4, stride: 2 }, { offset: 32, stride: 2 }] }),
    /overlap/,
    'overlapping planes',
  );
  rejects(
    () => new VideoFrame(new Uint8Array(64), { ...good, layout: [{ offset: 0, stride: 4 }, { offset: 16, stride: 2 }, { offset: 63, stride: 2 }] }),
    /data has 64 bytes, a 4x2 I420 frame in this layout needs 65/,
    'a layout beyond the data',
  );
  rejects(() => new VideoFrame(data, { ...good, displayWidth: 4 }), /given together/, 'displayWidth alone');
  rejects(() => new VideoFrame(data, { ...good, displayWidth: 0, displayHeight: 2 }), /must not be 0/, 'displayWidth 0');
  rejects(() => new VideoFrame(data, { ...good, colorSpace: { matrix: 'nope' } }), /'nope' is not a valid value/, 'bad colour space');
  // A WebCodecs format this library does not hold: NotSupportedError, as for AudioData.
  assert.throws(() => new VideoFrame(data, { ...good, format: 'I444' }), { name: 'NotSupportedError' });
});

test("copyTo({format: 'RGBA'}) of a uniform I420 red: (255, 0, 0, 255); BGRX swaps the order; NV12 alike", async () => {
  const [w, h] = [16, 8];
  const red = [81, 90, 240]; // BT.601 limited range
  const frame = new VideoFrame(uniformI420(w, h, red), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 0 });
  assert.equal(frame.allocationSize({ format: 'RGBA' }), w * h * 4);
  const near = (bytes, pixel, what) => {
    for (let i = 0; i < bytes.length; i += 4) {
      for (let c = 0; c < 4; c++) {
        if (Math.abs(bytes[i + c] - pixel[c]) > 3) assert.fail(`${what}: pixel ${i / 4} is ${[...bytes.subarray(i, i + 4)]}, not ~${pixel}`);
      }
    }
  };
  const rgba = await copyOf(frame, { format: 'RGBA' });
  assert.deepEqual(rgba.layout, [{ offset: 0, stride: w * 4 }]);
  near(rgba.bytes, [255, 0, 0, 255], 'RGBA');
  const bgrx = await copyOf(frame, { format: 'BGRX', colorSpace: 'srgb' });
  near(bgrx.bytes, [0, 0, 255, 255], 'BGRX');
  // A rect and a padded layout in the destination.
  const rect = { x: 2, y: 2, width: 4, height: 2 };
  assert.equal(frame.allocationSize({ format: 'BGRA', rect }), 4 * 2 * 4);
  const padded = new Uint8Array(100).fill(7);
  assert.deepEqual(await frame.copyTo(padded, { format: 'BGRA', rect, layout: [{ offset: 10, stride: 40 }] }), [{ offset: 10, stride: 40 }]);
  near(padded.subarray(10, 26), [0, 0, 255, 255], 'first row');
  near(padded.subarray(50, 66), [0, 0, 255, 255], 'second row');
  assert.equal(padded[26], 7, 'the padding is left alone');
  assert.equal(padded[9], 7);
  frame.close();

  // The same red as NV12.
  const nv12 = new Uint8Array(w * h + w * (h / 2));
  nv12.fill(red[0], 0, w * h);
  for (let i = w * h; i < nv12.length; i += 2) [nv12[i], nv12[i + 1]] = [red[1], red[2]];
  const frame12 = new VideoFrame(nv12, { format: 'NV12', codedWidth: w, codedHeight: h, timestamp: 0 });
  near((await copyOf(frame12, { format: 'RGBX' })).bytes.map((b, i) => (i % 4 === 3 ? 255 : b)), [255, 0, 0, 255], 'NV12 to RGBX');
  near((await copyOf(frame12, { format: 'RGBA' })).bytes, [255, 0, 0, 255], 'NV12 to RGBA');
  frame12.close();
});

test('copyTo() conversions refused: display-p3, YUV targets, unknown formats, too small a destination', async () => {
  const frame = new VideoFrame(uniformI420(4, 4, [81, 90, 240]), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'RGBA', colorSpace: 'display-p3' }), { name: 'NotSupportedError', message: /display-p3/ });
  assert.throws(() => frame.allocationSize({ format: 'RGBA', colorSpace: 'display-p3' }), { name: 'NotSupportedError' });
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'RGBA', colorSpace: 'rec2020' }), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'NV12' }), { name: 'NotSupportedError', message: /I420 to NV12/ });
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'I444' }), { name: 'NotSupportedError', message: /I444/ });
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'ARGB' }), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(63), { format: 'RGBA' }), TypeError, 'needs 64 bytes');
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'RGBA', layout: [{ offset: 0, stride: 15 }] }), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'RGBA', rect: { x: 1, y: 0, width: 2, height: 2 } }), TypeError, 'odd x of I420');
  // The frame's own format with a colour space: the space only concerns RGB copies.
  await frame.copyTo(new Uint8Array(24), { colorSpace: 'display-p3' });
  frame.close();
});

/** BT.601 limited range, as a reference: (y, u, v) -> [r, g, b]. */
function bt601(y, u, v) {
  const c = 1.164383 * (y - 16);
  const clamp = (x) => Math.max(0, Math.min(255, Math.round(x)));
  return [clamp(c + 1.596027 * (v - 128)), clamp(c - 0.391762 * (u - 128) - 0.812968 * (v - 128)), clamp(c + 2.017232 * (u - 128))];
}

test("copyTo({format: 'RGBA'}) of a fake camera's I420 frame: BT.601 of its pixels, and the same painted number", async () => {
  const [w, h] = [320, 240]; // large enough for the painted number to be read
  const { frame, track } = await cameraFrame({ width: w, height: h });
  const i420 = (await copyOf(frame)).bytes;
  const { bytes: rgba } = await copyOf(frame, { format: 'RGBA' });
  assert.equal(rgba.length, w * h * 4);
  let worst = 0;
  for (let row = 0; row < h; row++) {
    for (let x = 0; x < w; x++) {
      const c = (row >> 1) * (w / 2) + (x >> 1);
      const expected = bt601(i420[row * w + x], i420[w * h + c], i420[w * h + (w * h) / 4 + c]);
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(rgba[(row * w + x) * 4 + k] - expected[k]));
      if (rgba[(row * w + x) * 4 + 3] !== 255) assert.fail(`pixel ${x},${row} is not opaque`);
    }
  }
  assert.ok(worst <= 3, `every channel within 3 of BT.601 (worst ${worst})`);
  const planes = (format, bytes) => lms.decodeSequence({ kind: 'video', format, width: w, height: h, planes: [Buffer.from(bytes)] });
  const sequence = lms.decodeSequence({
    kind: 'video', format: 'I420', width: w, height: h,
    planes: [Buffer.from(i420.subarray(0, w * h)), Buffer.from(i420.subarray(w * h, w * h * 5 / 4)), Buffer.from(i420.subarray(w * h * 5 / 4))],
  });
  assert.equal(typeof sequence, 'number');
  assert.equal(planes('RGBA', rgba), sequence, 'the core reads the same number from the converted picture');
  const { bytes: bgra } = await copyOf(frame, { format: 'BGRA' });
  assert.equal(planes('BGRA', bgra), sequence);
  frame.close();
  track.stop();
});

test('copyTo() of RGBA and BGRA camera frames to the other order, and of an NV12 frame to RGBA', async () => {
  for (const pixelFormat of ['RGBA', 'BGRA', 'NV12']) {
    const { frame, track } = await cameraFrame({ width: 32, height: 16, pixelFormat: { exact: pixelFormat } });
    const own = (await copyOf(frame)).bytes;
    const target = pixelFormat === 'RGBA' ? 'BGRA' : 'RGBA';
    const { bytes } = await copyOf(frame, { format: target });
    assert.equal(bytes.length, 32 * 16 * 4);
    if (pixelFormat !== 'NV12') {
      for (let i = 0; i < own.length; i += 4) assert.deepEqual([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]], [own[i + 2], own[i + 1], own[i], own[i + 3]]);
    } else {
      for (let i = 3; i < bytes.length; i += 4) assert.equal(bytes[i], 255);
    }
    frame.close();
    track.stop();
  }
});

test('frameMemory(): the visible rect of a frame, its storage format; errors when closed or unnamed', async () => {
  const [w, h] = [8, 4];
  const data = new Uint8Array(w * h * 3 / 2).map((_, i) => i);
  const frame = new VideoFrame(data, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 0, visibleRect: { x: 2, y: 2, width: 4, height: 2 } });
  const m = frameMemory(frame);
  assert.equal(m.format, 'I420');
  assert.deepEqual([m.width, m.height], [4, 2]);
  assert.ok(m.data instanceof ArrayBuffer);
  assert.deepEqual(m.strides, [8, 4, 4]);
  assert.deepEqual(m.offsets, [2 * 8 + 2, 32 + 1 * 4 + 1, 40 + 1 * 4 + 1]);
  const bytes = new Uint8Array(m.data);
  assert.equal(bytes[m.offsets[0]], data[2 * 8 + 2]);
  assert.equal(bytes[m.offsets[0] + m.strides[0] + 3], data[3 * 8 + 5]);
  assert.equal(bytes[m.offsets[2]], data[40 + 4 + 1]);
  // The same geometry copyTo() gives for the visible rect.
  const { bytes: visible } = await copyOf(frame);
  assert.equal(visible[0], bytes[m.offsets[0]]);
  assert.equal(visible[4 * 2], bytes[m.offsets[1]]);
  const rgbx = new VideoFrame(new Uint8Array(w * h * 4), { format: 'RGBX', codedWidth: w, codedHeight: h, timestamp: 0, visibleRect: { x: 1, y: 1, width: 3, height: 3 } });
  assert.deepEqual(
    (({ format, width, height, offsets, strides }) => ({ format, width, height, offsets, strides }))(frameMemory(rgbx)),
    { format: 'RGBA', width: 3, height: 3, offsets: [w * 4 + 4], strides: [w * 4] },
  );
  rgbx.close();
  frame.close();
  assert.throws(() => frameMemory(frame), { name: 'InvalidStateError' });
  assert.throws(() => frameMemory({}), TypeError);
  const { frame: yuy2, track } = await cameraFrame({ width: 32, height: 16, pixelFormat: { exact: 'YUY2' } });
  assert.equal(yuy2.format, null);
  assert.throws(() => frameMemory(yuy2), { name: 'NotSupportedError' });
  const copy = new VideoFrame(yuy2, { timestamp: 1 });
  assert.equal(copy.format, null, 'a frame over an unnamed format is unnamed too');
  assert.deepEqual(copy.colorSpace.toJSON(), { primaries: null, transfer: null, matrix: null, fullRange: null });
  copy.close();
  yuy2.close();
  track.stop();
});

test('frames of our own memory: close() drops it, clones share it', async () => {
  const frame = new VideoFrame(new Uint8Array([9, 8, 7, 6]), { format: 'BGRA', codedWidth: 1, codedHeight: 1, timestamp: 3 });
  const copy = frame.clone();
  frame.close();
  assert.deepEqual([...(await copyOf(copy)).bytes], [9, 8, 7, 6]);
  assert.equal(copy.timestamp, 3);
  copy.close();
  copy.close();
  assert.equal(copy.codedWidth, 0);
  assert.throws(() => copy.clone(), { name: 'InvalidStateError' });
  assert.throws(() => copy.metadata(), { name: 'InvalidStateError' });
});
