'use strict';
// Bad input gives a clear error naming the problem, never a crash or a hang.

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

const gum = (c) => lms.mediaDevices.getUserMedia(c);
const typeErrorMentioning = (needle) => (e) => {
  assert.ok(e instanceof TypeError, String(e));
  assert.match(e.message, needle);
  return true;
};

test('constraints of the wrong type reject with a TypeError naming the constraint', async () => {
  const cases = [
    [{ video: { width: 'big' } }, /width/],
    [{ video: { frameRate: { min: 'fast' } } }, /frameRate/],
    [{ video: { facingMode: 7 } }, /facingMode/],
    [{ audio: { echoCancellation: 'yes' } }, /echoCancellation/],
    [{ video: { advanced: { width: 1 } } }, /advanced/],
    // ({video: 3} is not here: WebIDL converts it to `video: true`, see webidl.test.js.)
    // ({video: {width: -5}} is not here either: [Clamp] unsigned long makes it 0.)
    [{ video: { width: { max: '-5' } } }, /width/],
    [{ audio: { echoCancellation: 'on' } }, /"on" is not a valid value/],
  ];
  for (const [c, needle] of cases) await assert.rejects(gum(c), typeErrorMentioning(needle), JSON.stringify(c));
});

test('constraint values are converted as WebIDL converts them; long strings are refused as Chromium does', async () => {
  const overconstrained = (name) => (e) => {
    assert.equal(e.name, 'OverconstrainedError', String(e));
    assert.equal(e.constraint, name);
    return true;
  };
  // [Clamp] unsigned long: -1 is 0, so max -1 is impossible, not malformed.
  await assert.rejects(gum({ video: { width: { max: -1 } } }), overconstrained('width'));
  // ... and NaN is 0, infinities clamp (JSON cannot carry them: converted before the core sees them).
  await assert.rejects(gum({ video: { width: { max: NaN } } }), overconstrained('width'));
  await assert.rejects(gum({ video: { advanced: [{ height: -Infinity }], height: { exact: -Infinity } } }), overconstrained('height'));
  const [wide] = (await open({ video: { width: { max: Infinity }, height: NaN } })).getTracks();
  assert.ok(wide.getSettings().width > 0);
  await wide.applyConstraints({ width: { ideal: Infinity } });
  assert.equal(wide.getConstraints().width.ideal, 4294967295);
  // A double is never NaN or infinite: TypeError naming the member.
  await assert.rejects(gum({ video: { frameRate: { max: NaN } } }), typeErrorMentioning(/constraints\.video\.frameRate\.max/));
  await assert.rejects(wide.applyConstraints({ aspectRatio: Infinity }), typeErrorMentioning(/aspectRatio/));
  await assert.rejects(gum({ video: { advanced: [{ frameRate: -Infinity }] } }), typeErrorMentioning(/advanced\[0\]\.frameRate/));
  wide.stop();
  await assert.rejects(gum({ audio: { voiceIsolation: { exact: true } } }), overconstrained('voiceIsolation'));
  // echoCancellation is (boolean or EchoCancellationModeEnum): the strings are modes of their own.
  const [all] = (await open({ audio: { echoCancellation: { exact: 'all' } } })).getTracks();
  assert.equal(all.getSettings().echoCancellation, 'all');
  all.stop();
  const [t] = (await open({ audio: { echoCancellation: 'remote-only', voiceIsolation: true } })).getTracks();
  assert.equal(t.getSettings().echoCancellation, 'remote-only');
  assert.deepEqual(t.getCapabilities().echoCancellation, [true, false, 'all', 'remote-only']);
  assert.equal(t.getSettings().voiceIsolation, false);
  assert.deepEqual(t.getCapabilities().voiceIsolation, [false]);
  // Chromium: a constraint string over 500 UTF-16 code units is a TypeError.
  for (const c of [
    { video: { deviceId: { exact: 'x'.repeat(501) } } },
    { video: { deviceId: { ideal: 'x'.repeat(501) } } },
    { audio: { groupId: ['a', '\u{1F600}'.repeat(251)] } },
  ]) {
    await assert.rejects(gum(c), typeErrorMentioning(/Constraint string too long\./));
  }
  (await open({ video: { deviceId: 'x'.repeat(500) } })).getTracks().forEach((x) => x.stop());
});

test('constraints that are not an object, or cannot be read, reject with a TypeError', async () => {
  for (const c of ['video', 42, true, Symbol('x')]) {
    await assert.rejects(gum(c), TypeError, String(typeof c));
  }
  const cyclic = { video: {} };
  cyclic.video.self = cyclic;
  await assert.rejects(gum(cyclic), typeErrorMentioning(/cannot be read/));
  await assert.rejects(gum({ video: { width: 10n } }), TypeError);
});

test('huge or deeply nested constraints are refused without a crash', async () => {
  let deep = {};
  const root = { video: deep };
  for (let i = 0; i < 5000; i++) {
    deep.advanced = [{}];
    deep = deep.advanced[0];
  }
  await assert.rejects(gum(root), TypeError);
  await assert.rejects(gum({ video: { deviceId: 'x'.repeat(2 << 20) } }), TypeError);
});

test('readFrame() options are checked', async () => {
  const [t] = (await open({ video: { width: 160, height: 120 } })).getTracks();
  await assert.rejects(t.readFrame(5), TypeError);
  await assert.rejects(t.readFrame({ timeout: 'soon' }), TypeError);
  await assert.rejects(t.readFrame({ timeout: NaN }), TypeError);
  await assert.rejects(t.readFrame({ timeout: -1 }), RangeError);
  await assert.rejects(t.readFrame({ timeout: 1e12 }), RangeError);
  assert.equal((await t.readFrame({ timeout: 10_000 })).kind, 'video', 'the track still works');
});

test('applyConstraints() with bad constraints rejects with a TypeError and changes nothing', async () => {
  const [t] = (await open({ video: { width: 320, height: 240 } })).getTracks();
  const before = t.getSettings();
  await assert.rejects(t.applyConstraints('wide'), TypeError);
  await assert.rejects(t.applyConstraints({ width: 'wide' }), typeErrorMentioning(/width/));
  assert.deepEqual(t.getSettings(), before);
});

test('decodeSequence() wants a video frame', async () => {
  for (const bad of [null, {}, { kind: 'audio', planes: [] }, 'frame']) {
    assert.throws(() => lms.decodeSequence(bad), TypeError);
  }
  assert.throws(
    () => lms.decodeSequence({ kind: 'video', format: 'I420', width: 4, height: 4, planes: [Buffer.alloc(3), Buffer.alloc(4), Buffer.alloc(4)] }),
    /plane 0/,
  );
  assert.throws(() => lms.decodeSequence({ kind: 'video', format: 'XYZ', width: 4, height: 4, planes: [] }), /XYZ/);
});
