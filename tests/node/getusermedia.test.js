'use strict';
// CONFORMANCE rules 1-7: getUserMedia().

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

const gum = (c) => lms.mediaDevices.getUserMedia(c);

test('rule 1: no kind requested ({}, both false, nothing) rejects with a real TypeError', async () => {
  for (const c of [{}, { audio: false, video: false }, { audio: false }, undefined, null]) {
    await assert.rejects(gum(c), (e) => e instanceof TypeError && e.name === 'TypeError', JSON.stringify(c));
  }
});

test('rule 2: an impossible required constraint rejects with OverconstrainedError naming it', async () => {
  const cases = [
    [{ video: { width: { min: 100000000 } } }, 'width'],
    [{ video: { facingMode: { exact: '' } } }, 'facingMode'],
    [{ video: { deviceId: { exact: 'nope' } } }, 'deviceId'],
    [{ audio: { deviceId: { exact: 'nope' } } }, 'deviceId'],
    [{ video: { height: { max: 0 } } }, 'height'],
  ];
  for (const [c, constraint] of cases) {
    await assert.rejects(gum(c), (e) => {
      assert.ok(e instanceof lms.OverconstrainedError, `${JSON.stringify(c)}: ${e}`);
      assert.ok(e instanceof DOMException);
      assert.equal(e.name, 'OverconstrainedError');
      assert.equal(e.constraint, constraint);
      assert.match(e.message, new RegExp(constraint));
      return true;
    });
  }
});

test('rule 3: unknown keys and constraints of the other kind are ignored', async () => {
  const s = await open({
    video: { bogus: { exact: 1 } },
    audio: { width: { min: 100000000 }, frameRate: { exact: -1 } },
    peerIdentity: 'x',
  });
  assert.equal(s.getTracks().length, 2);
});

test('rule 4: an advanced set that cannot be satisfied is skipped', async () => {
  const s = await open({ video: { advanced: [{ width: 100000000 }, { width: 320 }] } });
  assert.equal(s.getVideoTracks()[0].getSettings().width, 320);
});

test('rule 5: width {ideal: 320, min: 160} gives 320, in the settings and the frames', async () => {
  const s = await open({ video: { width: { ideal: 320, min: 160 } } });
  const t = s.getVideoTracks()[0];
  assert.equal(t.getSettings().width, 320);
  const f = await t.readFrame({ timeout: 10_000 });
  assert.equal(f.width, 320);
});

test('rule 6: audio-only gives one audio track and no video track, and the reverse', async () => {
  const a = await open({ audio: true });
  assert.deepEqual([a.getAudioTracks().length, a.getVideoTracks().length], [1, 0]);
  const v = await open({ video: true, audio: false });
  assert.deepEqual([v.getAudioTracks().length, v.getVideoTracks().length], [0, 1]);
  const both = await open({ video: true, audio: true });
  assert.deepEqual([both.getAudioTracks().length, both.getVideoTracks().length], [1, 1]);
});

test('rule 7: no device is NotFoundError, a busy device NotReadableError, a denied kind NotAllowedError', async () => {
  const named = (name) => (e) => {
    assert.ok(e instanceof DOMException, String(e));
    assert.equal(e.name, name, String(e));
    return true;
  };
  stopAll(); // a device some track holds open is shared, not opened again
  try {
    lms.configure({ backends: ['fake'], fake: { pacing: 'none', video: 0, audio: 1 } });
    await assert.rejects(gum({ video: true }), named('NotFoundError'));
    lms.configure({ backends: [] });
    await assert.rejects(gum({ audio: true }), named('NotFoundError'));

    useFakeDevices();
    lms.fakeDeviceControl('fake:video:0', 'busy');
    lms.fakeDeviceControl('fake:video:1', 'busy');
    await assert.rejects(gum({ video: true }), named('NotReadableError'));
    lms.fakeDeviceControl('fake:video:0', 'free');
    await open({ video: true });

    useFakeDevices({ permissions: { camera: 'denied' } });
    await assert.rejects(gum({ video: true }), named('NotAllowedError'));
    await open({ audio: true });
  } finally {
    useFakeDevices();
  }
});

test('getUserMedia resolves to a MediaStream of MediaStreamTracks', async () => {
  const s = await open({ video: true, audio: true });
  assert.ok(s instanceof lms.MediaStream);
  assert.ok(s instanceof EventTarget);
  for (const t of s.getTracks()) {
    assert.ok(t instanceof lms.MediaStreamTrack);
    assert.ok(t instanceof EventTarget);
  }
  assert.equal(Object.prototype.toString.call(s), '[object MediaStream]');
});
