'use strict';
// navigator.mediaDevices: getUserMedia(), enumerateDevices(),
// getSupportedConstraints() and `devicechange`, on the process-wide device
// list (configured by LMS_BACKENDS / LMS_FAKE_DEVICES or configure()).

const native = require('./binding.js');
const { call, fromNative } = require('./errors.js');
const { defineEventHandlers, listenerCount } = require('./events.js');
const { MediaStream } = require('./stream.js');
const { wrapTrack, constraintsJson } = require('./track.js');

const kCreate = Symbol('create');

/** A device as enumerateDevices() lists it. */
class MediaDeviceInfo {
  #record;

  constructor(token, record) {
    if (token !== kCreate) throw new TypeError('Illegal constructor');
    this.#record = record;
  }
  get deviceId() {
    return this.#record.deviceId;
  }
  /** `"audioinput"` or `"videoinput"`. */
  get kind() {
    return this.#record.kind;
  }
  get label() {
    return this.#record.label;
  }
  get groupId() {
    return this.#record.groupId;
  }
  toJSON() {
    return { deviceId: this.deviceId, kind: this.kind, label: this.label, groupId: this.groupId };
  }
  get [Symbol.toStringTag]() {
    return 'MediaDeviceInfo';
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return { ...this.toJSON() };
  }
}

/** An input device: adds getCapabilities(). */
class InputDeviceInfo extends MediaDeviceInfo {
  #capabilities;

  constructor(token, record) {
    super(token, record);
    this.#capabilities = record.capabilities;
  }
  /** What a track on this device could deliver (a new object each call). */
  getCapabilities() {
    return JSON.parse(this.#capabilities);
  }
  get [Symbol.toStringTag]() {
    return 'InputDeviceInfo';
  }
}

// Called by the native module on the JS thread.
function dispatchDeviceChange() {
  mediaDevices.dispatchEvent(new Event('devicechange'));
}

class MediaDevices extends EventTarget {
  #watch = null;

  constructor(token) {
    if (token !== kCreate) throw new TypeError('Illegal constructor');
    super();
  }

  /**
   * A stream with one audio and/or one video track. Rejects with TypeError
   * when no kind is requested, OverconstrainedError when a required
   * constraint is impossible, NotFoundError, NotReadableError or
   * NotAllowedError.
   */
  async getUserMedia(constraints) {
    const json = constraintsJson(constraints, 'getUserMedia');
    let tracks;
    try {
      tracks = await native.getUserMedia(json);
    } catch (error) {
      throw fromNative(error);
    }
    return new MediaStream(tracks.map(wrapTrack));
  }

  /** Every input device, in a stable order (new objects each call). */
  async enumerateDevices() {
    let records;
    try {
      records = await native.enumerateDevices();
    } catch (error) {
      throw fromNative(error);
    }
    return records.map((r) => new InputDeviceInfo(kCreate, r));
  }

  /** Every supported constraint, `true`. */
  getSupportedConstraints() {
    return JSON.parse(native.supportedConstraints());
  }

  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    this.#updateWatch();
  }

  removeEventListener(type, listener, options) {
    super.removeEventListener(type, listener, options);
    this.#updateWatch();
  }

  dispatchEvent(event) {
    const result = super.dispatchEvent(event);
    this.#updateWatch();
    return result;
  }

  get [Symbol.toStringTag]() {
    return 'MediaDevices';
  }

  // The device list is watched only while someone listens; the watch never
  // keeps the process alive by itself.
  #updateWatch() {
    const wanted = listenerCount(this, ['devicechange']) > 0;
    if (wanted && this.#watch === null) {
      this.#watch = call(() => native.watchDeviceChange(dispatchDeviceChange));
    } else if (!wanted && this.#watch !== null) {
      this.#watch.close();
      this.#watch = null;
    }
  }
}

defineEventHandlers(MediaDevices, ['devicechange']);

const mediaDevices = new MediaDevices(kCreate);

module.exports = { MediaDevices, MediaDeviceInfo, InputDeviceInfo, mediaDevices };
