// localmediastream as an ES module: the CommonJS module (index.js) re-exported,
// so `import` and `require()` share one instance, one configuration and the
// same classes (`instanceof` works across both).
//
//   import lms from 'localmediastream';
//   import { mediaDevices, MediaStream, ImageCapture, VideoFrame } from 'localmediastream';
//
// tests/node/package checks that this list and index.js export the same names.
import lms from './index.js';

export default lms;
export const {
  mediaDevices,
  MediaDevices,
  MediaDeviceInfo,
  InputDeviceInfo,
  MediaStream,
  MediaStreamTrack,
  MediaStreamTrackEvent,
  DeviceChangeEvent,
  ImageCapture,
  MediaStreamTrackProcessor,
  VideoTrackGenerator,
  VideoFrame,
  AudioData,
  OverconstrainedError,
  configure,
  fakeDeviceControl,
  fakeDeviceUsage,
  decodeSequence,
  renderAudio,
  version,
} = lms;
