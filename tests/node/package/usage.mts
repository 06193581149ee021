// Type-checked by scripts/test-node-package (tsc --strict --noEmit) against
// the types shipped in the packed `localmediastream`: an ES module user.
import lms, { mediaDevices, OverconstrainedError, type MediaStreamConstraints, type Frame } from 'localmediastream';

lms.configure({ backends: ['fake'], fake: { pacing: 'none' } });
const constraints: MediaStreamConstraints = { video: { width: { min: 160 }, pixelFormat: 'I420' }, audio: false };
try {
  const stream = await mediaDevices.getUserMedia(constraints);
  const frame: Frame = await stream.getVideoTracks()[0].readFrame({ timeout: 1000 });
  const width: number = frame.kind === 'video' ? frame.width : 0;
  console.log(width, lms.version);
  stream.stop();
} catch (error) {
  if (error instanceof OverconstrainedError) console.log(error.constraint);
}

// @ts-expect-error: the types know the constraint names' value types
lms.configure({ backends: 'fake' });
