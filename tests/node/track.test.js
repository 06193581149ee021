'use strict';
// CONFORMANCE rules 14-23: MediaStreamTrack.

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll, sleep, eventually, record } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const usage = (id) => lms.fakeDeviceUsage(id);
const isOpen = (id) => usage(id).opens > usage(id).closes;

test('rule 14: a new track is live, enabled, not muted, with a kind and a distinct UUID', async () => {
  const s = await open({ video: true, audio: true });
  const [a] = s.getAudioTracks();
  const [v] = s.getVideoTracks();
  for (const t of [a, v]) {
    assert.equal(t.readyState, 'live');
    assert.equal(t.enabled, true);
    assert.equal(t.muted, false);
    assert.match(t.id, UUID);
    assert.ok(t.label.length > 0);
  }
  assert.deepEqual([a.kind, v.kind], ['audio', 'video']);
  assert.notEqual(a.id, v.id);
  assert.equal(Object.prototype.toString.call(v), '[object MediaStreamTrack]');
  assert.throws(() => new lms.MediaStreamTrack(), TypeError, 'tracks come from getUserMedia()');
});

test('rule 15: stop() ends the track at once, fires no ended event, and is idempotent', async () => {
  const [t] = (await open({ video: true })).getTracks();
  let ended = 0;
  t.addEventListener('ended', () => ended++);
  t.onended = () => ended++;
  t.stop();
  assert.equal(t.readyState, 'ended');
  t.stop();
  assert.equal(t.readyState, 'ended');
  await sleep(100);
  assert.equal(ended, 0, 'stop() fires no ended event');
  await assert.rejects(t.readFrame({ timeout: 10_000 }), (e) => e instanceof DOMException && e.name === 'EndedError');
});

test('rule 16: ended fires once, on every track of the device, when it is disconnected', async () => {
  const s = await open({ video: { deviceId: { exact: 'fake:video:1' } }, audio: true });
  const [v] = s.getVideoTracks();
  const clone = v.clone();
  const seen = [];
  v.onended = (e) => seen.push(`video:${e.type}`);
  clone.addEventListener('ended', (e) => seen.push(`clone:${e.type}`));
  s.getAudioTracks()[0].onended = () => seen.push('audio:ended');
  let handlerThis;
  v.addEventListener('ended', function () {
    handlerThis = this;
  });
  lms.fakeDeviceControl('fake:video:1', 'disconnect');
  assert.equal(v.readyState, 'ended');
  assert.equal(clone.readyState, 'ended');
  await eventually(() => seen.length === 2, 20_000, 'ended events');
  lms.fakeDeviceControl('fake:video:1', 'reconnect');
  lms.fakeDeviceControl('fake:video:1', 'disconnect');
  await sleep(100);
  assert.deepEqual(seen.sort(), ['clone:ended', 'video:ended'], 'once per track; the microphone is not affected');
  assert.equal(handlerThis, v, 'listeners run with the track as this');
  assert.equal(s.getAudioTracks()[0].readyState, 'live');
  lms.fakeDeviceControl('fake:video:1', 'reconnect');

  lms.fakeDeviceControl('fake:audio:0', 'fail');
  await eventually(() => seen.includes('audio:ended'), 20_000, 'ended on driver failure');
  assert.equal(s.active, false);
  useFakeDevices(); // a fresh set of fake devices for the next tests
});

test('rule 17: a clone has a new id, the same source and settings; a clone of an ended track is ended', async () => {
  const [t] = (await open({ video: { width: 320, height: 240 } })).getTracks();
  t.enabled = false;
  const opensBefore = usage('fake:video:0').opens;
  const c = t.clone();
  assert.ok(c instanceof lms.MediaStreamTrack);
  assert.notEqual(c.id, t.id);
  assert.deepEqual(c.getSettings(), t.getSettings());
  assert.deepEqual(c.getConstraints(), t.getConstraints());
  assert.equal(c.enabled, false, 'enabled is copied');
  assert.equal(usage('fake:video:0').opens, opensBefore, 'same source: no second open');
  t.stop();
  const cc = t.clone();
  assert.equal(cc.readyState, 'ended');
  assert.equal(c.readyState, 'live');
  c.stop();
});

test('rule 18: the device is released when the last track using it stops, and not before', async () => {
  stopAll();
  const id = 'fake:video:0';
  assert.equal(isOpen(id), false);
  const s = await open({ video: { deviceId: { exact: id } } });
  const [t] = s.getTracks();
  const c = t.clone();
  const second = await open({ video: { deviceId: { exact: id } } });
  const opens = usage(id).opens;
  t.stop();
  assert.ok(isOpen(id));
  second.stop();
  assert.ok(isOpen(id), 'the clone still uses the device');
  c.stop();
  assert.equal(isOpen(id), false, 'stopping the last track released it');
  assert.equal(usage(id).opens, opens, 'three tracks shared one open');
});

test('rule 19: a disabled track delivers black video (Y=16, U=V=128) and silent audio', async () => {
  const s = await open({ video: { width: 160, height: 120 }, audio: true });
  const [v] = s.getVideoTracks();
  const [a] = s.getAudioTracks();
  const live = await v.readFrame({ timeout: 10_000 });
  assert.ok(live.planes[0].some((y) => y > 100), 'a live picture is not black');
  v.enabled = false;
  a.enabled = false;
  assert.equal(v.enabled, false);
  let black = null;
  for (let i = 0; i < 20 && !black; i++) {
    const f = await v.readFrame({ timeout: 10_000 });
    if (f.planes[0].every((y) => y === 16)) black = f;
  }
  assert.ok(black, 'a disabled video track delivers black frames');
  assert.ok(black.planes[1].every((u) => u === 128));
  assert.ok(black.planes[2].every((v) => v === 128));
  let silent = false;
  for (let i = 0; i < 20 && !silent; i++) {
    const f = await a.readFrame({ timeout: 10_000 });
    silent = f.samples.every((x) => x === 0);
  }
  assert.ok(silent, 'a disabled audio track delivers silence');
  s.stop();
  v.enabled = true; // allowed on an ended track; changes nothing else
  assert.equal(v.readyState, 'ended');
});

test('rule 20: getSettings() reports what is delivered, with ids matching enumerateDevices()', async () => {
  const s = await open({ video: { width: 352, height: 288, frameRate: 15 }, audio: { sampleRate: 16000 } });
  const devices = await lms.mediaDevices.enumerateDevices();
  for (const t of s.getTracks()) {
    const settings = t.getSettings();
    const dev = devices.find((d) => d.deviceId === settings.deviceId);
    assert.ok(dev, `${settings.deviceId} is listed`);
    assert.equal(settings.groupId, dev.groupId);
    assert.equal(dev.kind, `${t.kind}input`);
  }
  const [v] = s.getVideoTracks();
  const settings = v.getSettings();
  assert.ok(Number.isInteger(settings.width) && Number.isInteger(settings.height));
  const f = await v.readFrame({ timeout: 10_000 });
  assert.deepEqual([f.width, f.height], [settings.width, settings.height]);
  assert.equal(settings.frameRate, 15);
  const [a] = s.getAudioTracks();
  const chunk = await a.readFrame({ timeout: 10_000 });
  assert.equal(a.getSettings().sampleRate, 16000);
  assert.equal(chunk.sampleRate, 16000);
  assert.equal(chunk.sampleCount, 160, '10 ms chunks by default');
});

test('rule 21: getCapabilities() has every property of the kind, ranges with min <= max', async () => {
  const s = await open({ video: true, audio: true });
  const videoProps = ['width', 'height', 'aspectRatio', 'frameRate', 'facingMode', 'resizeMode', 'deviceId', 'groupId', 'pixelFormat'];
  const audioProps = ['sampleRate', 'sampleSize', 'channelCount', 'latency', 'echoCancellation', 'autoGainControl', 'noiseSuppression', 'voiceIsolation', 'deviceId', 'groupId', 'sampleFormat'];
  for (const [t, props] of [
    [s.getVideoTracks()[0], videoProps],
    [s.getAudioTracks()[0], audioProps],
  ]) {
    const caps = t.getCapabilities();
    for (const p of props) {
      assert.ok(caps[p] !== undefined && caps[p] !== null, `${p} missing from ${JSON.stringify(caps)}`);
      if (typeof caps[p] === 'object' && !Array.isArray(caps[p])) {
        assert.ok(caps[p].min <= caps[p].max, `${p}: ${caps[p].min} > ${caps[p].max}`);
      }
    }
    assert.equal(typeof caps.deviceId, 'string');
    assert.equal(typeof caps.groupId, 'string');
    assert.notEqual(t.getCapabilities(), t.getCapabilities(), 'a new object each call');
  }
});

test('rule 22: applyConstraints() rejects an impossible required value leaving settings unchanged; ideals are accepted', async () => {
  const [t] = (await open({ video: { width: 640, height: 480 } })).getTracks();
  const before = t.getSettings();
  const constraintsBefore = t.getConstraints();
  await assert.rejects(t.applyConstraints({ width: { min: 100000000 } }), (e) => {
    assert.ok(e instanceof lms.OverconstrainedError);
    assert.equal(e.name, 'OverconstrainedError');
    assert.equal(e.constraint, 'width');
    return true;
  });
  assert.deepEqual(t.getSettings(), before);
  assert.deepEqual(t.getConstraints(), constraintsBefore);
  await t.applyConstraints({ width: { ideal: 100000000 } });
  await t.applyConstraints({ width: 320, height: 240 });
  assert.deepEqual([t.getSettings().width, t.getSettings().height], [320, 240]);
  assert.deepEqual(t.getConstraints(), { width: 320, height: 240 });
  let got = null;
  for (let i = 0; i < 20 && !got; i++) {
    const f = await t.readFrame({ timeout: 10_000 });
    if (f.width === 320) got = f;
  }
  assert.ok(got, 'frames follow the new settings');
  assert.equal(got.height, 240);
  t.stop();
  const ended = t.getSettings();
  await t.applyConstraints({ width: { exact: 1 } });
  assert.deepEqual(t.getSettings(), ended, 'on an ended track it succeeds and changes nothing');
});

test('rule 23: two tracks of one device opened with different widths each get their own', async () => {
  stopAll();
  const big = await open({ video: { deviceId: 'fake:video:0', width: 640, height: 480 } });
  const small = await open({ video: { deviceId: { exact: 'fake:video:0' }, width: { exact: 320 } } });
  const [b] = big.getTracks();
  const [s] = small.getTracks();
  assert.equal((await b.readFrame({ timeout: 10_000 })).width, 640);
  assert.equal((await s.readFrame({ timeout: 10_000 })).width, 320);
  assert.equal(s.getSettings().width, 320);
  assert.equal(s.getSettings().height, 240, 'the aspect ratio is kept');
  assert.equal(s.getSettings().resizeMode, 'crop-and-scale');
});

test('mute and unmute fire when the device mutes, with muted following', async () => {
  const [t] = (await open({ video: { deviceId: { exact: 'fake:video:1' } } })).getTracks();
  const seen = record(t, ['mute', 'unmute']);
  let handlers = 0;
  t.onmute = () => handlers++;
  t.onunmute = () => handlers++;
  lms.fakeDeviceControl('fake:video:1', 'mute');
  await eventually(() => seen.length === 1, 20_000, 'mute');
  assert.equal(t.muted, true);
  lms.fakeDeviceControl('fake:video:1', 'unmute');
  await eventually(() => seen.length === 2, 20_000, 'unmute');
  assert.equal(t.muted, false);
  assert.deepEqual(seen, ['mute', 'unmute']);
  assert.equal(handlers, 2);
});

test('event handler attributes: set, replace, clear', async () => {
  const [t] = (await open({ video: { deviceId: { exact: 'fake:video:1' } } })).getTracks();
  const calls = [];
  assert.equal(t.onmute, null);
  const first = () => calls.push('first');
  t.onmute = first;
  assert.equal(t.onmute, first);
  t.onmute = () => calls.push('second');
  t.dispatchEvent(new Event('mute'));
  t.onmute = null;
  assert.equal(t.onmute, null);
  t.dispatchEvent(new Event('mute'));
  assert.deepEqual(calls, ['second']);
});
