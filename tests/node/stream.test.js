'use strict';
// CONFORMANCE rules 8-13: MediaStream.

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('rule 8: ids are distinct UUIDs; constructors hold no tracks, the same tracks, or the given tracks', async () => {
  const a = await open({ video: true, audio: true });
  const b = new lms.MediaStream();
  assert.match(a.id, UUID);
  assert.match(b.id, UUID);
  assert.notEqual(a.id, b.id);
  assert.deepEqual(b.getTracks(), []);
  assert.equal(b.active, false);

  const c = new lms.MediaStream(a);
  assert.notEqual(c.id, a.id);
  assert.equal(c.getTracks().length, 2);
  a.getTracks().forEach((t, i) => assert.equal(c.getTracks()[i], t, 'the same track objects'));

  const [v] = a.getVideoTracks();
  const d = new lms.MediaStream([v, v]);
  assert.deepEqual(d.getTracks(), [v], 'built from tracks it holds those tracks, once');
  const e = new lms.MediaStream(new Set([v]));
  assert.equal(e.getTracks()[0], v, 'any iterable of tracks');
});

test('rule 9: track lists are current and getTrackById gives the same object, or null', async () => {
  const s = await open({ video: true, audio: true });
  const [video] = s.getVideoTracks();
  const [audio] = s.getAudioTracks();
  assert.equal(s.getTrackById(video.id), video);
  assert.equal(s.getTrackById(video.id), s.getTrackById(video.id));
  assert.equal(s.getTracks()[0], s.getTracks()[0], 'getTracks() gives the same objects every time');
  assert.equal(s.getTrackById('not-a-track'), null);
  s.removeTrack(audio);
  assert.equal(s.getTracks().length, 1);
  assert.deepEqual(s.getAudioTracks(), []);
  assert.equal(s.getTrackById(audio.id), null);
  audio.stop();
});

test('rule 10: adding a present track or removing an absent one does nothing and fires nothing', async () => {
  const s = await open({ video: true });
  const seen = [];
  for (const name of ['addtrack', 'removetrack']) s.addEventListener(name, () => seen.push(name));
  s.onaddtrack = () => seen.push('onaddtrack');
  s.onremovetrack = () => seen.push('onremovetrack');
  const [t] = s.getTracks();
  s.addTrack(t);
  assert.deepEqual(s.getTracks(), [t]);
  const other = (await open({ audio: true })).getTracks()[0];
  s.removeTrack(other);
  assert.deepEqual(s.getTracks(), [t]);
  s.addTrack(other);
  s.removeTrack(other);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, [], 'addTrack()/removeTrack() fire no addtrack/removetrack');
});

test('rule 11: active while any track is live; inactive streams accept changes', async () => {
  const s = await open({ video: true, audio: true });
  assert.equal(s.active, true);
  s.getVideoTracks()[0].stop();
  assert.equal(s.active, true, 'one track is still live');
  s.getAudioTracks()[0].stop();
  assert.equal(s.active, false);
  const t = (await open({ audio: true })).getTracks()[0];
  s.removeTrack(s.getVideoTracks()[0]);
  s.addTrack(t);
  assert.equal(s.active, true, 'adding a live track to an inactive stream is allowed');
});

test('rule 12: clone() has new ids and its tracks outlive the original', async () => {
  const s = await open({ video: true, audio: true });
  const c = s.clone();
  assert.notEqual(c.id, s.id);
  const old = new Set(s.getTracks().map((t) => t.id));
  for (const t of c.getTracks()) assert.ok(!old.has(t.id));
  s.stop();
  assert.equal(c.active, true);
  for (const t of c.getTracks()) {
    assert.equal(t.readyState, 'live');
    await t.readFrame({ timeout: 10_000 });
  }
  c.stop();
});

test('rule 13: stop() stops every track and releases the devices', async () => {
  stopAll(); // no other track of this file holds a device
  const s = await open({ video: true, audio: true });
  const before = lms.fakeDeviceUsage('fake:video:0');
  s.stop();
  assert.ok(s.getTracks().every((t) => t.readyState === 'ended'));
  assert.equal(s.active, false);
  const video = lms.fakeDeviceUsage('fake:video:0');
  const audio = lms.fakeDeviceUsage('fake:audio:0');
  assert.equal(video.opens, video.closes, 'camera released');
  assert.equal(audio.opens, audio.closes, 'microphone released');
  assert.ok(video.closes > before.closes);
});

test('MediaStream rejects what is not a track with a TypeError', () => {
  const s = new lms.MediaStream();
  for (const bad of [null, undefined, {}, 'track', 1]) {
    assert.throws(() => s.addTrack(bad), TypeError);
    assert.throws(() => s.removeTrack(bad), TypeError);
  }
  assert.throws(() => new lms.MediaStream([{}]), TypeError);
  assert.throws(() => new lms.MediaStream(5), TypeError);
  assert.throws(() => new lms.MediaStream(null), TypeError);
  assert.throws(() => new lms.MediaStream('abc'), TypeError);
});
