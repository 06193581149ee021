'use strict';
// VideoTrackGenerator: a track fed by a script, cloned, constrained and read
// back; processor -> transform -> generator as in the specification's
// example; the interface as WebIDL shapes it; mute, close and the end of
// the last track.

const test = require('node:test');
const assert = require('node:assert/strict');
const { WritableStream, TransformStream } = require('node:stream/web');
const { lms, useFakeDevices, open, stopAll, eventually } = require('./helpers.js');

const { VideoTrackGenerator, VideoFrame, MediaStreamTrackProcessor, MediaStreamTrack } = lms;

useFakeDevices();
test.after(stopAll);

/** An I420 picture whose bytes encode (n, plane, index): each frame is recognisable. */
function i420(width, height, n) {
  const sizes = [width * height, (width / 2) * (height / 2), (width / 2) * (height / 2)];
  const bytes = new Uint8Array(sizes[0] + sizes[1] + sizes[2]);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + n * 31) & 0xff;
  return bytes;
}

function frameOf(width, height, n, timestamp = n * 33_333) {
  return new VideoFrame(i420(width, height, n), { format: 'I420', codedWidth: width, codedHeight: height, timestamp });
}

async function bytesOf(frame) {
  const out = new Uint8Array(frame.allocationSize());
  await frame.copyTo(out);
  return out;
}

test('VideoTrackGenerator is shaped as its IDL says', () => {
  assert.equal(VideoTrackGenerator.length, 0);
  const proto = VideoTrackGenerator.prototype;
  for (const name of ['writable', 'muted', 'track']) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    assert.ok(d && d.get && d.enumerable && d.configurable, name);
    assert.throws(() => d.get.call({}), TypeError, `${name} getter brand check`);
  }
  assert.ok(Object.getOwnPropertyDescriptor(proto, 'muted').set, 'muted is writable');
  assert.equal(Object.getOwnPropertyDescriptor(proto, 'track').set, undefined);
  assert.throws(() => Object.getOwnPropertyDescriptor(proto, 'muted').set.call({}, true), TypeError);
  assert.equal(Object.prototype.toString.call(new VideoTrackGenerator()), '[object VideoTrackGenerator]');
});

test('a generator track fed by a script, cloned and read back byte-exact', async () => {
  const generator = new VideoTrackGenerator();
  const track = generator.track;
  assert.ok(track instanceof MediaStreamTrack);
  assert.equal(generator.track, track, 'the same track object each time');
  assert.equal(track.kind, 'video');
  assert.equal(track.readyState, 'live');
  const clone = track.clone();
  assert.notEqual(clone.id, track.id);

  const writer = generator.writable.getWriter();
  for (let n = 0; n < 6; n++) {
    const frame = frameOf(64, 48, n);
    const written = await bytesOf(frame);
    await writer.write(frame);
    assert.equal(frame.format, null, 'a written frame is closed');
    for (const t of [track, clone]) {
      const f = await t.readFrame({ timeout: 5000 });
      assert.deepEqual([f.format, f.width, f.height], ['I420', 64, 48]);
      assert.equal(f.timestamp, n * 33_333, 'the written timestamp is kept');
      assert.deepEqual(new Uint8Array(Buffer.concat(f.planes)), written, `frame ${n} of ${t === track ? 'track' : 'clone'}`);
      f.close();
    }
  }
  const s = track.getSettings();
  assert.deepEqual([s.width, s.height, s.resizeMode], [64, 48, 'none']);
  await writer.close();
  assert.equal(track.readyState, 'ended', 'closing the writable ends the tracks');
  assert.equal(clone.readyState, 'ended');
});

test('constraints crop-and-scale what is written; a clone asks for RGBA at 32x24', async () => {
  const generator = new VideoTrackGenerator();
  const small = generator.track.clone();
  await small.applyConstraints({ width: { max: 32 }, pixelFormat: 'RGBA' });
  const writer = generator.writable.getWriter();
  await writer.write(frameOf(64, 48, 1));
  const f = await small.readFrame({ timeout: 5000 });
  assert.deepEqual([f.format, f.width, f.height], ['RGBA', 32, 24]);
  f.close();
  await assert.rejects(small.applyConstraints({ width: { min: 100000 } }), (e) => e.name === 'OverconstrainedError' && e.constraint === 'width');
  assert.equal(small.getSettings().width, 32, 'a refused applyConstraints changes nothing');
  await writer.close();
});

test('processor -> TransformStream -> generator, as the specification example does', async () => {
  const [camera] = (await open({ video: { width: 320, height: 240 } })).getTracks();
  const processor = new MediaStreamTrackProcessor({ track: camera });
  const generator = new VideoTrackGenerator();
  const out = generator.track;
  // An "inversion" of the luma plane, written as a new frame.
  const invert = new TransformStream({
    async transform(frame, controller) {
      const bytes = await bytesOf(frame);
      for (let i = 0; i < frame.codedWidth * frame.codedHeight; i++) bytes[i] = 255 - bytes[i];
      const processed = new VideoFrame(bytes, { format: 'I420', codedWidth: frame.codedWidth, codedHeight: frame.codedHeight, timestamp: frame.timestamp });
      frame.close();
      controller.enqueue(processed);
    },
  });
  const piping = processor.readable.pipeThrough(invert).pipeTo(generator.writable);
  const f = await out.readFrame({ timeout: 10_000 });
  assert.deepEqual([f.format, f.width, f.height], ['I420', 320, 240]);
  // Inverting again gives a picture of the fake camera with its sequence code readable.
  const y = Buffer.from(f.planes[0]);
  for (let i = 0; i < y.length; i++) y[i] = 255 - y[i];
  const sequence = lms.decodeSequence({ kind: 'video', format: 'I420', width: 320, height: 240, planes: [y, f.planes[1], f.planes[2]] });
  assert.equal(typeof sequence, 'number');
  f.close();
  out.stop();
  camera.stop();
  // The camera's end closes the processor's stream, which closes the generator's writable.
  await piping.catch(() => {});
});

test('muted drops frames and mutes the tracks; writing a non-frame or closed frame is a TypeError', async () => {
  const generator = new VideoTrackGenerator();
  const track = generator.track;
  const events = [];
  track.addEventListener('mute', () => events.push('mute'));
  track.addEventListener('unmute', () => events.push('unmute'));
  assert.equal(generator.muted, false);
  generator.muted = true;
  assert.equal(generator.muted, true);
  await eventually(() => track.muted, 5000, 'track muted');
  const writer = generator.writable.getWriter();
  await writer.write(frameOf(16, 16, 0));
  generator.muted = false;
  await writer.write(frameOf(16, 16, 1, 77));
  const f = await track.readFrame({ timeout: 5000 });
  assert.equal(f.timestamp, 77, 'the frame written while muted was dropped');
  f.close();
  await eventually(() => events.length === 2, 5000, 'mute and unmute');
  assert.deepEqual(events, ['mute', 'unmute']);
  await assert.rejects(writer.write({ format: 'I420' }), TypeError);

  const other = new VideoTrackGenerator().writable.getWriter();
  const closed = frameOf(16, 16, 2);
  closed.close();
  await assert.rejects(other.write(closed), TypeError);
});

test('when the last track stops, writes reject with TypeError', async () => {
  const generator = new VideoTrackGenerator();
  const clone = generator.track.clone();
  generator.track.stop();
  const writer = generator.writable.getWriter();
  await writer.write(frameOf(16, 16, 0)); // the clone still reads
  const f = await clone.readFrame({ timeout: 5000 });
  f.close();
  clone.stop();
  const frame = frameOf(16, 16, 1);
  await assert.rejects(writer.write(frame), TypeError);
  assert.equal(frame.format, null, 'the refused frame is closed too');
});
