// Type-checked by scripts/test-node-package (tsc --strict --noEmit) against
// the types shipped in the packed `localmediastream`: a CommonJS user.
import lms = require('localmediastream');
import { mediaDevices, MediaStreamTrack, type RawVideoFrame } from 'localmediastream';

export async function firstSequences(count: number): Promise<number[]> {
  lms.configure({ backends: ['fake'], fake: { pacing: 'none' } });
  const stream = await mediaDevices.getUserMedia({ video: { width: { ideal: 320 } } });
  const [video]: MediaStreamTrack[] = stream.getVideoTracks();
  const sequences: number[] = [];
  for await (const frame of video.frames()) {
    if (frame.kind !== 'video') continue;
    const picture: RawVideoFrame = frame;
    const painted: number | null = lms.decodeSequence(picture);
    sequences.push(painted ?? picture.sequence);
    picture.close();
    if (sequences.length === count) stream.stop();
  }
  return sequences;
}

export const version: string = lms.version;
