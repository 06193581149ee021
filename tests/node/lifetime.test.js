'use strict';
// Lifetimes: the process exits by itself once tracks are stopped; a live
// track with listeners keeps it alive; a track collected without stop()
// releases its device.

const test = require('node:test');
const assert = require('node:assert/strict');
const { fork } = require('node:child_process');
const path = require('node:path');
const { lms, useFakeDevices, stopAll, collectGarbage, eventually } = require('./helpers.js');

useFakeDevices();
test.after(stopAll);

const HELPERS = path.join(__dirname, 'helpers.js');

/** Run `body` (JS source, with `lms` in scope) in a child; resolves to {code, output, ms}. */
function runChild(body, { onMessage } = {}) {
  const source = `
    const { lms, useFakeDevices } = require(${JSON.stringify(HELPERS)});
    useFakeDevices({ fake: { pacing: 'realtime' } });
    if (process.channel) process.channel.unref(); // IPC alone keeps nothing alive
    (async () => { ${body} })().catch((e) => { console.log('error', e); process.exitCode = 1; });
  `;
  const started = Date.now();
  const child = fork('-e', [source], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  if (onMessage) child.on('message', (m) => onMessage(m, child));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve({ code, output, ms: Date.now() - started })));
  // A child that does not exit by itself is killed (and its exit code is null).
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return { child, exited: exited.finally(() => clearTimeout(timer)) };
}

test('the process exits by itself once its tracks are stopped, even with listeners on them', async () => {
  const { exited } = runChild(`
    const s = await lms.mediaDevices.getUserMedia({ video: { width: 160, height: 120 }, audio: true });
    for (const t of s.getTracks()) {
      t.onended = () => console.log('unexpected ended');
      t.addEventListener('mute', () => {});
    }
    lms.mediaDevices.ondevicechange = () => {};
    let n = 0;
    for await (const f of s.getVideoTracks()[0].frames()) if (++n === 5) break;
    s.stop();
    console.log('stopped');
  `);
  const { code, output } = await exited;
  assert.equal(code, 0, output); // by itself: not killed
  assert.equal(output.trim(), 'stopped');
});

test('a live track with an ended listener keeps the process alive until the device goes away', async () => {
  let readyAt = 0;
  const { child, exited } = runChild(
    `
    const [t] = (await lms.mediaDevices.getUserMedia({ video: true })).getTracks();
    t.onended = () => console.log('ended');
    process.on('message', (m) => lms.fakeDeviceControl('fake:video:0', m));
    process.send('ready');
  `,
    { onMessage: () => (readyAt = Date.now()) },
  );
  await eventually(() => readyAt > 0, 30_000, 'the child to open its track');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(child.exitCode, null, 'still running: the track is live and listened to');
  child.send('disconnect');
  const { code, output } = await exited;
  assert.equal(code, 0);
  assert.equal(output.trim(), 'ended', 'ended fired once, then the process exited by itself');
});

test('an open track nobody listens to does not keep the process alive', async () => {
  const { exited } = runChild(`
    const s = await lms.mediaDevices.getUserMedia({ video: true, audio: true });
    console.log(s.getTracks().map((t) => t.readyState).join(','));
  `);
  const { code, output } = await exited;
  assert.equal(code, 0); // by itself: not killed
  assert.equal(output.trim(), 'live,live');
});

test('a track collected without stop() releases its device', async () => {
  stopAll();
  const id = 'fake:audio:0';
  const before = lms.fakeDeviceUsage(id);
  await (async () => {
    const s = await lms.mediaDevices.getUserMedia({ audio: true });
    const [t] = s.getTracks();
    t.onmute = () => {}; // listeners must not keep it from being collected
    await t.readFrame({ timeout: 10_000 });
  })();
  const usage = () => lms.fakeDeviceUsage(id);
  assert.equal(usage().opens, before.opens + 1);
  for (let i = 0; i < 20 && usage().closes === before.closes; i++) await collectGarbage();
  assert.equal(usage().closes, before.closes + 1, 'the device was closed when its only track was collected');
});

test('a track kept by a stream keeps its device until the stream goes', async () => {
  stopAll();
  const id = 'fake:audio:0';
  const s = await lms.mediaDevices.getUserMedia({ audio: true });
  const before = lms.fakeDeviceUsage(id);
  await collectGarbage();
  assert.equal(lms.fakeDeviceUsage(id).closes, before.closes, 'still open while the stream holds the track');
  assert.equal(s.getTracks()[0].readyState, 'live');
  s.stop();
  assert.equal(lms.fakeDeviceUsage(id).closes, before.closes + 1);
});
