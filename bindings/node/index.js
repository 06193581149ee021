'use strict';
// localmediastream: getUserMedia() for Node.js, with the browser's API.
//
//   const lms = require('localmediastream');
//   const stream = await lms.mediaDevices.getUserMedia({ video: { width: 1280 }, audio: true });
//   for await (const frame of stream.getVideoTracks()[0].frames()) { ... }
//   stream.stop();
//
// See index.d.ts for the whole surface and README.md for the configuration.

const { types } = require('node:util');
const native = require('./lib/binding.js');
const webidl = require('./lib/webidl.js');
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

const toUnsignedLong = renderInteger(32);
const toUnsignedShort = renderInteger(16);

/**
 * A converter to an unsigned integer of `bits` bits as WebIDL's [EnforceRange]
 * (one ToNumber; TypeError for NaN, infinities and values out of range) that
 * also refuses fractions (a TypeError, where WebIDL would truncate them).
 */
function renderInteger(bits) {
  const enforce = webidl.integer(bits, false, { enforceRange: true });
  return (value, what) => {
    const x = webidl.unrestrictedDouble(value);
    if (Number.isFinite(x) && !Number.isInteger(x)) throw new TypeError(`${what} is not an integer (${x})`);
    return enforce(x, what);
  };
}

function describe(value) {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  return value.constructor?.name ?? 'an object';
}

/**
 * Give the echo cancellers the audio the program plays (the far end): `samples`
 * interleaved, `channels` (default 1) per frame, at `sampleRate` Hz. Every track with
 * echoCancellation on removes it from what its microphone hears. Synchronous: the
 * samples are copied during the call; it never waits for capture. A TypeError names
 * what is wrong (not a Float32Array, a rate outside 8000..384000, a channel count
 * outside 1..32, a length that is not a whole number of frames, a sample that is
 * NaN or infinite), with nothing rendered.
 */
function renderAudio(samples, sampleRate, channels = 1) {
  const what = 'renderAudio()';
  webidl.requireArguments(arguments.length, 2, `Failed to execute 'renderAudio'`);
  if (!types.isFloat32Array(samples)) {
    throw new TypeError(`${what}: samples must be a Float32Array of interleaved samples, got ${describe(samples)}`);
  }
  const rate = toUnsignedLong(sampleRate, `${what}: sampleRate`);
  const count = toUnsignedShort(channels, `${what}: channels`);
  call(() => native.renderAudio(samples, rate, count));
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
  renderAudio,
  version: native.version(),
};
