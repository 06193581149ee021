'use strict';
// Unpaced fake 1920x1080 I420 camera, read with `for await`, one byte read
// from each plane: frames per second over 600 frames after a warm-up.
// Usage: node benches/node/read_fake.js [FRAMES]  (benches/node/run builds the release addon first)
//
// Two loops: the documented one, which closes each frame when done with it
// (its memory goes straight back to the camera, as with WebCodecs frames),
// and one that leaves frames to the garbage collector, whose pace then sets
// the rate.

const path = require('node:path');
const lms = require(path.resolve(__dirname, '../../bindings/node'));

const FRAMES = Number(process.argv[2] ?? 600);
const WARM_UP = 100;

async function measure(closeFrames) {
  const stream = await lms.mediaDevices.getUserMedia({
    video: { width: { exact: 1920 }, height: { exact: 1080 }, pixelFormat: { exact: 'I420' } },
  });
  const [track] = stream.getVideoTracks();
  let n = 0;
  let sum = 0;
  let started = 0;
  let last = -1;
  let skipped = 0;
  for await (const frame of track.frames({ timeout: 5000 })) {
    for (const plane of frame.planes) sum += plane[0];
    if (last >= 0) skipped += frame.sequence - last - 1;
    last = frame.sequence;
    if (closeFrames) frame.close();
    n++;
    if (n === WARM_UP) started = performance.now();
    if (n === WARM_UP + FRAMES) break;
  }
  const seconds = (performance.now() - started) / 1000;
  stream.stop();
  return { rate: FRAMES / seconds, skipped, sum };
}

(async () => {
  lms.configure({ backends: ['fake'], fake: { pacing: 'none', video: 1, audio: 0 } });
  for (const closeFrames of [true, false]) {
    const { rate, skipped } = await measure(closeFrames);
    const how = closeFrames ? 'frame.close() after use' : 'frames left to the GC  ';
    console.log(`node for-await 1920x1080 I420, ${how}: ${rate.toFixed(0)} frames/s (${FRAMES} frames, ${skipped} skipped)`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
