'use strict';
// Camera controls (W3C MediaStream Image Capture): constrainable properties
// of video tracks, held by the device. The fake camera has every control and
// applies them visibly to its picture; file cameras have none.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

useFakeDevices();
test.afterEach(stopAll);

const MODES = ['whiteBalanceMode', 'exposureMode', 'focusMode'];
const RANGES = [
  'exposureCompensation', 'exposureTime', 'colorTemperature', 'iso', 'brightness', 'contrast',
  'saturation', 'sharpness', 'focusDistance', 'pan', 'tilt', 'zoom',
];
const CONTROLS = [...MODES, ...RANGES, 'torch'];

/** A video track on fake:video:0 (640x480 I420) whose controls are back at their defaults. */
async function camera(extra = {}) {
  useFakeDevices(); // a new fake backend: fresh cameras with default controls
  const s = await open({ video: { deviceId: { exact: 'fake:video:0' }, width: 640, height: 480, ...extra } });
  return s.getVideoTracks()[0];
}

/** Mean luma (Y plane) of a frame read after the frames already queued. */
async function meanLuma(track) {
  for (let i = 0; i < 8; i++) (await track.readFrame({ timeout: 10_000 })).close();
  const frame = await track.readFrame({ timeout: 10_000 });
  assert.equal(frame.format, 'I420');
  const y = frame.planes[0];
  let sum = 0;
  for (let row = 0; row < frame.height; row++) {
    const start = row * frame.strides[0];
    for (let i = start; i < start + frame.width; i++) sum += y[i];
  }
  frame.close();
  return sum / (frame.width * frame.height);
}

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

test('getCapabilities() lists every control: ranges with a step, modes, torch', async () => {
  const track = await camera();
  const caps = track.getCapabilities();
  for (const name of MODES) {
    assert.ok(Array.isArray(caps[name]), name);
    assert.ok(caps[name].includes('manual') && caps[name].includes('continuous'), `${name}: ${caps[name]}`);
  }
  for (const name of RANGES) {
    const r = caps[name];
    assert.ok(r && typeof r.min === 'number' && typeof r.max === 'number' && typeof r.step === 'number', name);
    assert.ok(r.min < r.max, `${name}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(caps.brightness, { min: 0, max: 255, step: 1 });
  assert.deepEqual(caps.torch, [false, true]);
  // The device lists them too.
  const [device] = (await lms.mediaDevices.enumerateDevices()).filter((d) => d.deviceId === 'fake:video:0');
  for (const name of CONTROLS) assert.deepEqual(device.getCapabilities()[name], caps[name], name);
  // An audio track has none.
  const [audio] = (await open({ audio: true })).getAudioTracks();
  for (const name of CONTROLS) assert.equal(audio.getCapabilities()[name], undefined, name);
});

test('getSupportedConstraints() includes every control', () => {
  const supported = lms.mediaDevices.getSupportedConstraints();
  for (const name of CONTROLS) assert.equal(supported[name], true, name);
});

test('getSettings() reports every control, read back from the device', async () => {
  const track = await camera();
  const settings = track.getSettings();
  for (const name of MODES) assert.equal(settings[name], 'continuous', name);
  for (const name of RANGES) assert.equal(typeof settings[name], 'number', name);
  assert.equal(settings.brightness, 128);
  assert.equal(settings.torch, false);
});

test('applyConstraints({brightness: 200}) sets it and makes the picture brighter', async () => {
  const track = await camera();
  const before = await meanLuma(track);
  await track.applyConstraints({ brightness: 200 });
  assert.equal(track.getSettings().brightness, 200);
  assert.equal(track.getConstraints().brightness, 200);
  const after = await meanLuma(track);
  assert.ok(after > before + 10, `mean luma ${before.toFixed(1)} -> ${after.toFixed(1)}`);
  // The other settings stay.
  assert.equal(track.getSettings().width, 640);
  assert.equal(track.getSettings().contrast, 128);
});

test('an exact value out of range is OverconstrainedError naming it, settings unchanged', async () => {
  const track = await camera();
  await track.applyConstraints({ brightness: 100 });
  const settings = track.getSettings();
  const constraints = track.getConstraints();
  await rejectsWith(track.applyConstraints({ brightness: { exact: 300 } }), 'OverconstrainedError', 'brightness');
  await rejectsWith(track.applyConstraints({ brightness: { min: 256 } }), 'OverconstrainedError', 'brightness');
  await rejectsWith(track.applyConstraints({ focusMode: { exact: 'single-shot' } }), 'OverconstrainedError', 'focusMode');
  assert.deepEqual(track.getSettings(), settings);
  assert.deepEqual(track.getConstraints(), constraints);
  // getUserMedia() too.
  await rejectsWith(
    lms.mediaDevices.getUserMedia({ video: { zoom: { exact: 10 } } }),
    'OverconstrainedError',
    'zoom',
  );
});

test('an ideal value out of range is clamped to the range', async () => {
  const track = await camera();
  await track.applyConstraints({ brightness: 1000 });
  assert.equal(track.getSettings().brightness, 255);
  await track.applyConstraints({ brightness: { ideal: -5 } });
  assert.equal(track.getSettings().brightness, 0);
  await track.applyConstraints({ zoom: 9 });
  assert.equal(track.getSettings().zoom, track.getCapabilities().zoom.max);
});

test('a manual value (exposureTime) switches its mode to manual', async () => {
  const track = await camera();
  assert.equal(track.getSettings().exposureMode, 'continuous');
  await track.applyConstraints({ exposureTime: 100 });
  const settings = track.getSettings();
  assert.equal(settings.exposureMode, 'manual');
  assert.equal(settings.exposureTime, 100);
  await track.applyConstraints({ focusMode: 'manual', focusDistance: 2.5 });
  assert.equal(track.getSettings().focusMode, 'manual');
  assert.equal(track.getSettings().focusDistance, 2.5);
});

test('controls belong to the device: a clone and another track see the change', async () => {
  const track = await camera();
  const clone = track.clone();
  const [other] = (await open({ video: { deviceId: { exact: 'fake:video:0' } } })).getVideoTracks();
  await track.applyConstraints({ brightness: 42, zoom: 2, torch: true });
  for (const t of [track, clone, other]) {
    const s = t.getSettings();
    assert.deepEqual([s.brightness, s.zoom, s.torch], [42, 2, true]);
  }
  await clone.applyConstraints({ contrast: 10 });
  assert.equal(track.getSettings().contrast, 10);
  clone.stop();
  other.stop();
});

test('getUserMedia({video: {pan: true, tilt: true, zoom: true}}) gives a camera that has them', async () => {
  useFakeDevices();
  const s = await open({ video: { pan: true, tilt: true, zoom: true } });
  const [track] = s.getVideoTracks();
  const caps = track.getCapabilities();
  for (const name of ['pan', 'tilt', 'zoom']) assert.equal(typeof caps[name].max, 'number', name);
  const s2 = await open({ video: { deviceId: { exact: 'fake:video:1' }, zoom: { exact: 3 }, pan: 30 } });
  const settings = s2.getVideoTracks()[0].getSettings();
  assert.equal(settings.zoom, 3);
  assert.equal(settings.pan, 30);
});

test('a file camera has no controls: an exact zoom is OverconstrainedError "zoom"', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-controls-'));
  t.after(() => {
    useFakeDevices();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'gray.y4m');
  const [w, h] = [16, 8];
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(w * h, 100), Buffer.alloc((w * h) / 2, 128)]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  lms.configure({ backends: ['file'], file: { video: file, pacing: 'none' } });

  await rejectsWith(lms.mediaDevices.getUserMedia({ video: { zoom: { exact: 2 } } }), 'OverconstrainedError', 'zoom');
  const [track] = (await open({ video: true })).getVideoTracks();
  assert.equal(track.getSettings().width, w);
  for (const name of CONTROLS) {
    assert.equal(track.getCapabilities()[name], undefined, name);
    assert.equal(track.getSettings()[name], undefined, name);
  }
  await rejectsWith(track.applyConstraints({ zoom: { exact: 2 } }), 'OverconstrainedError', 'zoom');
  await track.applyConstraints({ zoom: 2, brightness: 200 }); // ideal values it cannot meet are ignored
  assert.equal(track.getSettings().zoom, undefined);
  track.stop();
});

test("'controls-refuse' makes control writes fail with NotReadableError until 'controls-accept'", async (t) => {
  const track = await camera();
  t.after(() => lms.fakeDeviceControl('fake:video:0', 'controls-accept'));
  lms.fakeDeviceControl('fake:video:0', 'controls-refuse');
  const settings = track.getSettings();
  await rejectsWith(track.applyConstraints({ brightness: 50 }), 'NotReadableError');
  assert.equal(track.getSettings().brightness, settings.brightness);
  assert.equal(track.readyState, 'live');
  lms.fakeDeviceControl('fake:video:0', 'controls-accept');
  await track.applyConstraints({ brightness: 50 });
  assert.equal(track.getSettings().brightness, 50);
});
