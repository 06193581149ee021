'use strict';
// MediaStreamTrackEvent and DeviceChangeEvent (issue 20, section 2): their
// construction as WebIDL defines it, and when they are fired.

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll, sleep, eventually, record } = require('./helpers.js');

test.afterEach(stopAll);

test('MediaStreamTrackEvent: type and eventInitDict with track are required', async () => {
  useFakeDevices();
  const [track] = (await open({ video: true })).getTracks();
  assert.throws(() => new lms.MediaStreamTrackEvent(), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack'), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack', undefined), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack', {}), { name: 'TypeError', message: /track/ });
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack', { track: null }), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack', { track: {} }), TypeError);
  const event = new lms.MediaStreamTrackEvent('addtrack', { track });
  assert.ok(event instanceof Event);
  assert.equal(event.type, 'addtrack');
  assert.equal(event.track, track);
  assert.equal(event.track, event.track, '[SameObject]');
  assert.equal(event.bubbles, false);
  assert.equal(event.isTrusted, false);
  // Dispatched by script, it reaches listeners and the handler attribute.
  const stream = new lms.MediaStream();
  const seen = [];
  stream.addEventListener('addtrack', (e) => seen.push(`listener:${e.track.id}`));
  stream.onaddtrack = (e) => seen.push(`handler:${e.track.id}`);
  stream.dispatchEvent(event);
  assert.deepEqual(seen, [`listener:${track.id}`, `handler:${track.id}`]);
});

test('addtrack/removetrack are never fired by addTrack(), removeTrack(), stop() or the end of a track', async () => {
  // The specification fires them only when the user agent itself changes a
  // stream's track set (a WebRTC remote stream, say); getUserMedia() streams
  // are changed only by script.
  useFakeDevices();
  const stream = await open({ video: true, audio: true });
  const other = new lms.MediaStream();
  const seen = [...record(stream, ['addtrack', 'removetrack']), ...record(other, ['addtrack', 'removetrack'])];
  const seenHandlers = [];
  for (const s of [stream, other]) {
    s.onaddtrack = (e) => seenHandlers.push(e.type);
    s.onremovetrack = (e) => seenHandlers.push(e.type);
  }
  const [video, audio] = [stream.getVideoTracks()[0], stream.getAudioTracks()[0]];
  other.addTrack(video);
  other.removeTrack(video);
  stream.removeTrack(audio);
  stream.addTrack(audio);
  const clone = stream.clone();
  clone.stop();
  lms.fakeDeviceControl('fake:video:0', 'disconnect');
  await eventually(() => video.readyState === 'ended', 20_000, 'the camera track to end');
  lms.fakeDeviceControl('fake:video:0', 'reconnect');
  await sleep(100);
  assert.deepEqual(seen, []);
  assert.deepEqual(seenHandlers, []);
  assert.equal(stream.getTracks().length, 2, 'an ended track stays in its stream');
});

test('DeviceChangeEvent: construction, frozen [SameObject] arrays of MediaDeviceInfo', async () => {
  useFakeDevices();
  assert.throws(() => new lms.DeviceChangeEvent(), TypeError);
  const empty = new lms.DeviceChangeEvent('devicechange');
  assert.ok(empty instanceof Event);
  assert.equal(empty.type, 'devicechange');
  assert.deepEqual(empty.devices, []);
  assert.deepEqual(empty.userInsertedDevices, []);
  assert.ok(Object.isFrozen(empty.devices) && Object.isFrozen(empty.userInsertedDevices));
  assert.equal(empty.devices, empty.devices, '[SameObject]');

  const devices = await lms.mediaDevices.enumerateDevices();
  const event = new lms.DeviceChangeEvent('devicechange', { devices, userInsertedDevices: new Set([devices[1]]) });
  assert.notEqual(event.devices, devices, 'a copy');
  assert.deepEqual([...event.devices], devices);
  assert.deepEqual([...event.userInsertedDevices], [devices[1]]);
  assert.ok(Object.isFrozen(event.devices));
  assert.throws(() => event.devices.push(devices[0]), TypeError);
  devices.pop();
  assert.equal(event.devices.length, devices.length + 1, 'later changes to the init array do not show');

  for (const bad of [5, 'abc', {}, [{}], [null], [devices[0].toJSON()]]) {
    assert.throws(() => new lms.DeviceChangeEvent('devicechange', { devices: bad }), TypeError);
    assert.throws(() => new lms.DeviceChangeEvent('devicechange', { userInsertedDevices: bad }), TypeError);
  }
});

test('devicechange is a DeviceChangeEvent with the new list and the devices inserted since the last one', async () => {
  useFakeDevices();
  const md = lms.mediaDevices;
  const events = [];
  const handled = [];
  const listener = (e) => events.push(e);
  md.addEventListener('devicechange', listener);
  md.ondevicechange = (e) => handled.push(e);
  try {
    // The list when the first listener was added is the baseline (taken
    // synchronously by the core as the listener is added).
    lms.fakeDeviceControl('fake:video:1', 'disconnect');
    await eventually(() => events.length === 1, 20_000, 'devicechange on disconnect');
    const [gone] = events;
    assert.ok(gone instanceof lms.DeviceChangeEvent);
    assert.equal(gone.type, 'devicechange');
    assert.equal(handled[0], gone, 'the handler gets the same event');
    const ids = (list) => list.map((d) => d.deviceId).sort();
    assert.deepEqual(ids(gone.devices), ['fake:audio:0', 'fake:video:0']);
    assert.deepEqual(ids(gone.devices), ids(await md.enumerateDevices()));
    assert.deepEqual([...gone.userInsertedDevices], [], 'nothing was inserted');
    for (const d of gone.devices) assert.ok(d instanceof lms.InputDeviceInfo);
    assert.ok(Object.isFrozen(gone.devices) && Object.isFrozen(gone.userInsertedDevices));

    lms.fakeDeviceControl('fake:video:1', 'reconnect');
    await eventually(() => events.length === 2, 20_000, 'devicechange on reconnect');
    const back = events[1];
    assert.deepEqual(ids(back.devices), ['fake:audio:0', 'fake:video:0', 'fake:video:1']);
    assert.deepEqual(ids(back.userInsertedDevices), ['fake:video:1']);
    const inserted = back.userInsertedDevices[0];
    assert.ok(back.devices.includes(inserted), 'the inserted devices are among devices');
    assert.equal(inserted.kind, 'videoinput');
    assert.equal(handled.length, 2);
  } finally {
    md.removeEventListener('devicechange', listener);
    md.ondevicechange = null;
  }
});
