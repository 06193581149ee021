'use strict';
// ImageCapture (W3C MediaStream Image Capture): takePhoto(), grabFrame(),
// getPhotoCapabilities(), getPhotoSettings() on the fake camera.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { lms, PACKAGE_DIR, useFakeDevices, open, stopAll } = require('./helpers.js');

useFakeDevices();
test.afterEach(stopAll);

async function videoTrack(constraints = { width: 640, height: 480 }) {
  const s = await open({ video: { deviceId: { exact: 'fake:video:0' }, ...constraints } });
  return s.getVideoTracks()[0];
}

/** The picture size in a JPEG file's SOF segment. */
function jpegSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG starts FF D8 FF');
  let i = 2;
  while (i + 4 <= bytes.length) {
    assert.equal(bytes[i], 0xff, `a marker at ${i}`);
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    // SOF0..SOF15, but not DHT (C4), JPG (C8) or DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    }
    assert.notEqual(marker, 0xda, 'SOF comes before the scan');
    i += 2 + length;
  }
  assert.fail('no SOF segment');
}

/** The picture size in a PNG file's IHDR chunk. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const bytesOf = async (blob) => Buffer.from(await blob.arrayBuffer());

async function rejectsWith(promise, name, constraint) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name, e.message);
    if (constraint !== undefined) {
      assert.ok(e instanceof lms.OverconstrainedError);
      assert.equal(e.constraint, constraint);
    }
    return true;
  });
}

test('new ImageCapture(videoTrack): track is that track; anything else is a TypeError', async () => {
  const s = await open({ video: true, audio: true });
  const [video] = s.getVideoTracks();
  const [audio] = s.getAudioTracks();
  const capture = new lms.ImageCapture(video);
  assert.equal(capture.track, video);
  assert.equal(Object.prototype.toString.call(capture), '[object ImageCapture]');
  assert.throws(() => new lms.ImageCapture(audio), TypeError);
  for (const bad of [undefined, null, {}, 'track', { kind: 'video' }, s]) {
    assert.throws(() => new lms.ImageCapture(bad), TypeError, String(bad));
  }
  assert.throws(() => lms.ImageCapture(video), TypeError, 'a class: needs new');
});

test('ImageCapture is exported by the ES module entry, the same class', async () => {
  const esm = await import(pathToFileURL(path.join(PACKAGE_DIR, 'index.mjs')).href);
  assert.equal(esm.ImageCapture, lms.ImageCapture);
});

test('getPhotoCapabilities() and getPhotoSettings() describe the camera size', async () => {
  const capture = new lms.ImageCapture(await videoTrack());
  const caps = await capture.getPhotoCapabilities();
  assert.deepEqual(caps, {
    redEyeReduction: 'never',
    imageHeight: { min: 1, max: 480, step: 1 },
    imageWidth: { min: 1, max: 640, step: 1 },
    fillLightMode: ['off'],
  });
  assert.deepEqual(await capture.getPhotoSettings(), {
    fillLightMode: 'off',
    imageHeight: 480,
    imageWidth: 640,
    redEyeReduction: false,
  });
});

test('takePhoto() gives a JPEG Blob at the camera size', async () => {
  const track = await videoTrack();
  const capture = new lms.ImageCapture(track);
  const photo = await capture.takePhoto();
  assert.ok(photo instanceof Blob);
  assert.equal(photo.type, 'image/jpeg');
  const bytes = await bytesOf(photo);
  assert.equal(bytes.length, photo.size);
  assert.deepEqual(jpegSize(bytes), { width: 640, height: 480 });
  assert.deepEqual([...bytes.subarray(-2)], [0xff, 0xd9], 'ends with EOI');
  // The track is unchanged and still delivers its own frames.
  assert.equal(track.getSettings().width, 640);
  const frame = await track.readFrame({ timeout: 10_000 });
  assert.deepEqual([frame.width, frame.height, frame.format], [640, 480, 'I420']);
  frame.close();
});

test('takePhoto({imageWidth: 320}) on a 640x480 track is 320x240; both sides are honoured', async () => {
  const capture = new lms.ImageCapture(await videoTrack());
  assert.deepEqual(jpegSize(await bytesOf(await capture.takePhoto({ imageWidth: 320 }))), { width: 320, height: 240 });
  assert.deepEqual(jpegSize(await bytesOf(await capture.takePhoto({ imageHeight: 120 }))), { width: 160, height: 120 });
  assert.deepEqual(jpegSize(await bytesOf(await capture.takePhoto({ imageWidth: 200, imageHeight: 100 }))), {
    width: 200,
    height: 100,
  });
});

test("takePhoto({imageType: 'image/png'}) gives a PNG Blob", async () => {
  const capture = new lms.ImageCapture(await videoTrack());
  const photo = await capture.takePhoto({ imageType: 'image/png', imageWidth: 320 });
  assert.equal(photo.type, 'image/png');
  assert.deepEqual(pngSize(await bytesOf(photo)), { width: 320, height: 240 });
});

test('takePhoto() rejects what the camera cannot give, and settings of the wrong type', async () => {
  const capture = new lms.ImageCapture(await videoTrack());
  await rejectsWith(capture.takePhoto({ imageWidth: 1280 }), 'OverconstrainedError', 'imageWidth');
  await rejectsWith(capture.takePhoto({ imageHeight: 0 }), 'OverconstrainedError', 'imageHeight');
  await rejectsWith(capture.takePhoto({ fillLightMode: 'flash' }), 'OverconstrainedError', 'fillLightMode');
  await rejectsWith(capture.takePhoto({ redEyeReduction: true }), 'OverconstrainedError', 'redEyeReduction');
  await assert.rejects(capture.takePhoto({ imageType: 'image/gif' }), TypeError);
  await assert.rejects(capture.takePhoto({ imageWidth: 'wide' }), TypeError);
  await assert.rejects(capture.takePhoto('photo'), TypeError);
  // Unknown members are ignored, as in any WebIDL dictionary.
  assert.equal((await capture.takePhoto({ quality: 1 })).type, 'image/jpeg');
});

test("grabFrame() gives an RGBA VideoFrame of the track's size", async () => {
  const track = await videoTrack({ width: 320, height: 240 });
  const capture = new lms.ImageCapture(track);
  const frame = await capture.grabFrame();
  assert.equal(frame.kind, 'video');
  assert.equal(frame.format, 'RGBA');
  assert.deepEqual([frame.width, frame.height], [320, 240]);
  assert.equal(frame.planes.length, 1);
  assert.ok(frame.strides[0] >= 320 * 4);
  assert.ok(frame.planes[0].length >= frame.strides[0] * 239 + 320 * 4);
  assert.equal(frame.planes[0][3], 255, 'opaque');
  assert.equal(typeof frame.sequence, 'number');
  frame.close();
  assert.equal(frame.planes.length === 0 || frame.planes[0].length === 0, true, 'close() gives the memory back');
  // The track keeps its own format and size.
  assert.deepEqual([track.getSettings().width, track.getSettings().pixelFormat], [320, 'I420']);
});

test('grabFrame() shows the camera controls: brightness up, brighter picture', async () => {
  useFakeDevices(); // fresh controls
  const track = await videoTrack({ width: 160, height: 120 });
  const capture = new lms.ImageCapture(track);
  const mean = async () => {
    const frame = await capture.grabFrame();
    const px = frame.planes[0];
    let sum = 0;
    for (let row = 0; row < frame.height; row++) {
      for (let x = 0; x < frame.width * 4; x += 4) {
        const i = row * frame.strides[0] + x;
        sum += px[i] + px[i + 1] + px[i + 2];
      }
    }
    frame.close();
    return sum / (3 * frame.width * frame.height);
  };
  await track.applyConstraints({ brightness: 20 });
  const dark = await mean();
  await track.applyConstraints({ brightness: 240 });
  const bright = await mean();
  assert.ok(bright > dark + 10, `mean ${dark.toFixed(1)} -> ${bright.toFixed(1)}`);
});

test('after track.stop() every method rejects with InvalidStateError', async () => {
  const track = await videoTrack();
  const capture = new lms.ImageCapture(track);
  track.stop();
  await rejectsWith(capture.takePhoto(), 'InvalidStateError');
  await rejectsWith(capture.grabFrame(), 'InvalidStateError');
  await rejectsWith(capture.getPhotoCapabilities(), 'InvalidStateError');
  await rejectsWith(capture.getPhotoSettings(), 'InvalidStateError');
  assert.equal(capture.track, track);
});

test('photos in flight when the track stops settle; a photo of a clone works after the original stops', async () => {
  const track = await videoTrack();
  const clone = track.clone();
  const capture = new lms.ImageCapture(track);
  const pending = [capture.takePhoto(), capture.grabFrame()];
  track.stop();
  for (const result of await Promise.allSettled(pending)) {
    if (result.status === 'rejected') assert.equal(result.reason.name, 'InvalidStateError', result.reason.message);
    else if (typeof result.value.close === 'function') result.value.close();
  }
  const photo = await new lms.ImageCapture(clone).takePhoto();
  assert.deepEqual(jpegSize(await bytesOf(photo)), { width: 640, height: 480 });
  clone.stop();
});
