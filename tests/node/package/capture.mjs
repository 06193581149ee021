// Run by scripts/test-node-package in a fresh `npm install` of the packed
// tarballs: the ES module entry, default and named imports, captures from the
// fake camera (for await), and is the same module instance as require()'s.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import lms, { mediaDevices, MediaStream, decodeSequence, version } from 'localmediastream';
import * as namespace from 'localmediastream';

const cjs = createRequire(import.meta.url)('localmediastream');
assert.equal(lms, cjs, 'the default export is the CommonJS module itself');
assert.deepEqual(
  Object.keys(namespace).filter((name) => name !== 'default').sort(),
  Object.keys(cjs).sort(),
  'index.mjs exports the names index.js does',
);
for (const name of Object.keys(cjs)) assert.equal(namespace[name], cjs[name], name);

lms.configure({ backends: ['fake'], fake: { pacing: 'none' } });
const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
assert.ok(stream instanceof MediaStream);
const [video] = stream.getVideoTracks();
const sequences = [];
for await (const frame of video.frames()) {
  assert.equal(decodeSequence(frame), frame.sequence);
  sequences.push(frame.sequence);
  frame.close();
  if (sequences.length === 5) stream.stop(); // the loop ends when the track does
}
assert.ok(sequences.length >= 5, `at least the frames read before stop(): ${sequences}`);
for (let i = 1; i < sequences.length; i++) assert.ok(sequences[i] > sequences[i - 1], `sequences increase: ${sequences}`);
console.log(`import: localmediastream ${version}, ${video.getSettings().width}x${video.getSettings().height}, frames ${sequences.join(' ')}`);
