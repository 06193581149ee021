'use strict';
// Shared by the tests: the package, fake-device configuration, and waiting helpers.

const path = require('node:path');

const PACKAGE_DIR = path.resolve(__dirname, '../../bindings/node');
const lms = require(PACKAGE_DIR);

/** Fake devices only, unpaced: fake:video:0, fake:video:1, fake:audio:0. */
const FAKE = { backends: ['fake'], fake: { pacing: 'none', video: 2, audio: 1 } };

function useFakeDevices(extra = {}) {
  lms.configure({ ...FAKE, ...extra, fake: { ...FAKE.fake, ...(extra.fake ?? {}) } });
}

// The garbage collector, for tests of what happens when it runs.
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');

/** Run a full collection, then the turns in which Node runs the finalizers. */
async function collectGarbage() {
  gc();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wait until `predicate()` is true (polling), or fail after `ms`: long, as it
 * returns as soon as the predicate holds; only a failing test waits it out.
 */
async function eventually(predicate, ms = 20_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Open a stream; the tracks of every stream opened here are stopped by `stopAll()`. */
const opened = [];
async function open(constraints) {
  const stream = await lms.mediaDevices.getUserMedia(constraints);
  opened.push(stream);
  return stream;
}
function stopAll() {
  for (const s of opened.splice(0)) s.stop();
}

/** Names of the events `target` fires for `names`, in order. */
function record(target, names) {
  const seen = [];
  for (const name of names) target.addEventListener(name, (e) => seen.push(e.type));
  return seen;
}

module.exports = { lms, collectGarbage, PACKAGE_DIR, FAKE, useFakeDevices, sleep, eventually, open, stopAll, record };
