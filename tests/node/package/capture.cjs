'use strict';
// Run by scripts/test-node-package in a fresh `npm install` of the packed
// tarballs: require('localmediastream') loads the platform package's addon and
// captures from the fake camera, frames in order.
const assert = require('node:assert/strict');
const lms = require('localmediastream');

async function main() {
  assert.equal(lms.version, require('localmediastream/package.json').version, 'the addon is the package version');
  lms.configure({ backends: ['fake'], fake: { pacing: 'none' } });
  const stream = await lms.mediaDevices.getUserMedia({ video: true });
  const [video] = stream.getVideoTracks();
  const sequences = [];
  for (let i = 0; i < 5; i++) {
    const frame = await video.readFrame({ timeout: 10_000 });
    assert.equal(lms.decodeSequence(frame), frame.sequence, 'the fake camera painted the frame its number');
    sequences.push(frame.sequence);
    frame.close();
  }
  stream.stop();
  assert.equal(video.readyState, 'ended');
  for (let i = 1; i < sequences.length; i++) assert.ok(sequences[i] > sequences[i - 1], `sequences increase: ${sequences}`);
  console.log(`require: localmediastream ${lms.version}, ${video.label}, frames ${sequences.join(' ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
