'use strict';
// CONFORMANCE rules 24-26: MediaDevices, and configure().

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, stopAll, eventually, sleep } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

test('rule 24: enumerateDevices() lists inputs stably, as distinct objects each call', async () => {
  const a = await lms.mediaDevices.enumerateDevices();
  const b = await lms.mediaDevices.enumerateDevices();
  assert.equal(a.length, 3);
  assert.deepEqual(a.map((d) => d.toJSON()), b.map((d) => d.toJSON()), 'the same devices in the same order');
  // The specification's order: microphones, then cameras, each kind's default first.
  assert.deepEqual(a.map((d) => d.deviceId), ['fake:audio:0', 'fake:video:0', 'fake:video:1']);
  a.forEach((d, i) => assert.notEqual(d, b[i], 'distinct objects'));
  for (const d of a) {
    assert.ok(d instanceof lms.InputDeviceInfo && d instanceof lms.MediaDeviceInfo);
    assert.ok(['audioinput', 'videoinput'].includes(d.kind));
    for (const k of ['deviceId', 'label', 'groupId']) {
      assert.equal(typeof d[k], 'string');
      assert.ok(d[k].length > 0, k);
    }
    assert.deepEqual(Object.keys(d.toJSON()), ['deviceId', 'kind', 'label', 'groupId']);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d.toJSON());
    const caps = d.getCapabilities();
    assert.equal(caps.deviceId, d.deviceId);
    assert.ok(d.kind === 'videoinput' ? caps.width.max >= caps.width.min : caps.sampleRate.max >= caps.sampleRate.min);
  }
  assert.throws(() => new lms.MediaDeviceInfo(), TypeError);
  assert.throws(() => new lms.MediaDevices(), TypeError);
});

test('rule 25: getSupportedConstraints() lists every supported constraint as true', () => {
  const supported = lms.mediaDevices.getSupportedConstraints();
  for (const name of [
    'deviceId', 'groupId', 'width', 'height', 'aspectRatio', 'frameRate', 'facingMode', 'resizeMode',
    'sampleRate', 'sampleSize', 'channelCount', 'latency', 'echoCancellation', 'autoGainControl',
    'noiseSuppression', 'voiceIsolation', 'pixelFormat', 'sampleFormat',
  ]) {
    assert.equal(supported[name], true, name);
  }
});

test('rule 26: devicechange fires when the list of devices changes (listener and ondevicechange)', async () => {
  const md = lms.mediaDevices;
  const seen = [];
  const listener = (e) => seen.push(`listener:${e.type}`);
  md.addEventListener('devicechange', listener);
  md.ondevicechange = (e) => seen.push(`handler:${e.type}`);
  lms.fakeDeviceControl('fake:video:1', 'mute');
  await sleep(100);
  assert.deepEqual(seen, [], 'mute does not change the list');
  lms.fakeDeviceControl('fake:video:1', 'disconnect');
  assert.equal((await md.enumerateDevices()).length, 2);
  await eventually(() => seen.length === 2, 20_000, 'devicechange on disconnect');
  lms.fakeDeviceControl('fake:video:1', 'reconnect');
  await eventually(() => seen.length === 4, 20_000, 'devicechange on reconnect');
  assert.deepEqual(seen, ['listener:devicechange', 'handler:devicechange', 'listener:devicechange', 'handler:devicechange']);
  lms.configure({ backends: ['fake'], fake: { pacing: 'none', video: 1, audio: 0 } });
  await eventually(() => seen.length === 6, 20_000, 'devicechange on reconfiguration');
  md.removeEventListener('devicechange', listener);
  md.ondevicechange = null;
  useFakeDevices();
  await sleep(100);
  assert.equal(seen.length, 6, 'no listener, no call');
});

test('configure() takes the configuration document and rejects a bad one with a TypeError naming it', () => {
  for (const [bad, needle] of [
    [{ backends: ['webcam'] }, 'webcam'],
    [{ fake: { video: -1 } }, 'fake.video'],
    [{ queueSize: 0 }, 'queueSize'],
    [{ bogus: 1 }, 'bogus'],
  ]) {
    assert.throws(() => lms.configure(bad), (e) => e instanceof TypeError && e.message.includes(needle), JSON.stringify(bad));
  }
  for (const bad of [null, undefined, 'fake', 3, ['fake']]) {
    assert.throws(() => lms.configure(bad), TypeError);
  }
  useFakeDevices();
});

test('fakeDeviceControl() and fakeDeviceUsage() name what is wrong', () => {
  assert.throws(() => lms.fakeDeviceControl('fake:video:0', 'explode'), (e) => e.name === 'InvalidArgumentError' && /explode/.test(e.message));
  assert.throws(() => lms.fakeDeviceControl('fake:video:9', 'mute'), (e) => e.name === 'NotFoundError');
  assert.throws(() => lms.fakeDeviceUsage('nope'), (e) => e.name === 'NotFoundError');
  assert.throws(() => lms.fakeDeviceControl(1, 'mute'), TypeError);
  assert.throws(() => lms.fakeDeviceUsage(), TypeError);
  assert.deepEqual(Object.keys(lms.fakeDeviceUsage('fake:video:0')).sort(), ['closes', 'opens']);
});

test('version is the library version', () => {
  assert.match(lms.version, /^\d+\.\d+\.\d+/);
});

test('without configure(), the environment decides (LMS_BACKENDS, LMS_FAKE_DEVICES)', () => {
  const { execFileSync } = require('node:child_process');
  const { PACKAGE_DIR } = require('./helpers.js');
  const out = execFileSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(PACKAGE_DIR)}).mediaDevices.enumerateDevices().then((d) => console.log(JSON.stringify(d)))`],
    { env: { ...process.env, LMS_BACKENDS: 'fake', LMS_FAKE_DEVICES: 'video=1,audio=0' }, encoding: 'utf8' },
  );
  assert.deepEqual(JSON.parse(out).map((d) => d.deviceId), ['fake:video:0']);
});
