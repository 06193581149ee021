'use strict';
// localmediastream: getUserMedia() for Node.js, with the browser's API.
//
//   const lms = require('localmediastream');
//   const stream = await lms.mediaDevices.getUserMedia({ video: { width: 1280 }, audio: true });
//   for await (const frame of stream.getVideoTracks()[0].frames()) { ... }
//   stream.stop();
//
// See index.d.ts for the whole surface and README.md for the configuration.

const native = require('./lib/binding.js');
const { OverconstrainedError, call } = require('./lib/errors.js');
const { MediaStreamTrack } = require('./lib/track.js');
const { MediaStream, MediaStreamTrackEvent } = require('./lib/stream.js');
const { ImageCapture } = require('./lib/image_capture.js');
const { MediaStreamTrackProcessor } = require('./lib/processor.js');
const { VideoTrackGenerator } = require('./lib/generator.js');
const { AudioData } = require('./lib/audio_data.js');
const { VideoFrame } = require('./lib/video_frame.js');
const { MediaDevices, MediaDeviceInfo, InputDeviceInfo, DeviceChangeEvent, mediaDevices } = require('./lib/devices.js');

/**
 * Replace the configuration (the same JSON document in every language, e.g.
 * `{backends: ['fake'], fake: {pacing: 'none', video: 2, audio: 1}}`);
 * absent keys keep the environment's values. Throws a TypeError naming what is wrong.
 */
function configure(config) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError('configure(config): config must be an object like {backends: ["fake"]}');
  }
  call(() => native.configure(JSON.stringify(config)));
}

function checkString(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${typeof value}`);
  return value;
}

/**
 * Apply a test control to a fake device: 'disconnect', 'reconnect', 'mute', 'unmute', 'fail', 'busy',
 * 'free', 'controls-refuse' (camera control writes fail with NotReadableError), 'controls-accept'.
 */
function fakeDeviceControl(deviceId, action) {
  checkString(deviceId, 'fakeDeviceControl(deviceId, action): deviceId');
  checkString(action, 'fakeDeviceControl(deviceId, action): action');
  call(() => native.fakeDeviceControl(deviceId, action));
}

/** How often a fake device was opened and closed: `{opens, closes}`. */
function fakeDeviceUsage(deviceId) {
  checkString(deviceId, 'fakeDeviceUsage(deviceId): deviceId');
  return call(() => native.fakeDeviceUsage(deviceId));
}

/** The sequence number a fake camera painted into a video frame, or null when none can be read. */
function decodeSequence(frame) {
  if (frame === null || typeof frame !== 'object' || frame.kind !== 'video' || !Array.isArray(frame.planes)) {
    throw new TypeError('decodeSequence(frame): expected a video frame from readFrame() or frames()');
  }
  if (frame.closed === true) throw new DOMException('decodeSequence(frame): the frame was closed', 'InvalidStateError');
  return call(() => native.decodeSequence(frame.format, frame.width, frame.height, frame.planes));
}

module.exports = {
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
  version: native.version(),
};
