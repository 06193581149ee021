'use strict';
// navigator.mediaDevices: getUserMedia(), enumerateDevices(),
// getSupportedConstraints() and `devicechange`, on the process-wide device
// list (configured by LMS_BACKENDS / LMS_FAKE_DEVICES or configure()).

const native = require('./binding.js');
const { call, fromNative } = require('./errors.js');
const { listenerCount } = require('./events.js');
const webidl = require('./webidl.js');
const { MediaStream } = require('./stream.js');
const { wrapTrack, constraintsJson } = require('./track.js');

const kCreate = Symbol('create');

/** A device as enumerateDevices() lists it. */
class MediaDeviceInfo {
  #record;

  constructor(token, record) {
    webidl.illegalConstructor(token, kCreate);
    webidl.brand(this, MediaDeviceInfo);
    this.#record = record;
  }
  get deviceId() {
    return this.#record.deviceId;
  }
  /** `"audioinput"`, `"videoinput"` or `"audiooutput"`. */
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
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return { ...this.toJSON() };
  }
}

/** An input device: adds getCapabilities(). */
class InputDeviceInfo extends MediaDeviceInfo {
  #capabilities;

  constructor(token, record) {
    super(token, record);
    webidl.brand(this, InputDeviceInfo);
    this.#capabilities = record.capabilities;
  }
  /** What a track on this device could deliver (a new object each call). */
  getCapabilities() {
    return JSON.parse(this.#capabilities);
  }
}

const toDeviceInfo = (value, what) => {
  if (!webidl.implementsInterface(value, MediaDeviceInfo)) throw new TypeError(`${what} is not of type 'MediaDeviceInfo'`);
  return value;
};

/** `sequence<MediaDeviceInfo>` (undefined gives []) as a frozen array. */
function deviceList(value, what) {
  if (value === undefined) return Object.freeze([]);
  if (value === null || typeof value !== 'object' || typeof value[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what} is not a sequence of MediaDeviceInfo`);
  }
  return Object.freeze(Array.from(value, (d) => toDeviceInfo(d, `${what}: an element`)));
}

/**
 * The `devicechange` event: `devices` is the list enumerateDevices() would give
 * now, `userInsertedDevices` those of them that were not in the list of the
 * previous event (or of when the first listener was added).
 */
class DeviceChangeEvent extends Event {
  #devices;
  #userInsertedDevices;

  /** `constructor(DOMString type, optional DeviceChangeEventInit eventInitDict = {})`. */
  constructor(type, eventInitDict = undefined) {
    webidl.requireArguments(arguments.length, 1, "Failed to construct 'DeviceChangeEvent'");
    const name = webidl.DOMString(type);
    const init = webidl.dictionary(eventInitDict, "Failed to construct 'DeviceChangeEvent': eventInitDict");
    const devices = deviceList(init.devices, 'DeviceChangeEventInit.devices');
    const inserted = deviceList(init.userInsertedDevices, 'DeviceChangeEventInit.userInsertedDevices');
    super(name, init);
    webidl.brand(this, DeviceChangeEvent);
    this.#devices = devices;
    this.#userInsertedDevices = inserted;
  }

  get devices() {
    return this.#devices;
  }
  get userInsertedDevices() {
    return this.#userInsertedDevices;
  }
}

webidl.defineInterface(DeviceChangeEvent, { attributes: ['devices', 'userInsertedDevices'], length: 1 });

async function listDevices() {
  let records;
  try {
    records = await native.enumerateDevices();
  } catch (error) {
    throw fromNative(error);
  }
  // Outputs are MediaDeviceInfo (no capabilities), as in a browser.
  return records.map((r) =>
    r.kind === 'audiooutput' ? new MediaDeviceInfo(kCreate, r) : new InputDeviceInfo(kCreate, r),
  );
}

/**
 * Whether a `(boolean or MediaTrackConstraints)` member asks for its kind:
 * absent is `false`, an object (or null, which WebIDL converts to an empty
 * dictionary) is constraints, anything else is converted to a boolean.
 */
function requestsKind(value) {
  if (value === undefined) return false;
  if (value === null || typeof value === 'object' || typeof value === 'function') return true;
  return !!value;
}

function asKind(value) {
  if (value === null) return {};
  if (typeof value === 'object' || typeof value === 'function') return value;
  return !!value;
}

const deviceKey = (d) => `${d.kind}\u0000${d.deviceId}`;

class MediaDevices extends EventTarget {
  #watch = null;
  /** The device list of the last `devicechange` (or when watching began), a promise of it. */
  #lastExposed = null;
  /** Device changes are handled one after another, in order. */
  #changes = Promise.resolve();

  constructor(token) {
    webidl.illegalConstructor(token, kCreate);
    super();
    webidl.brand(this, MediaDevices);
  }

  /**
   * A stream with one audio and/or one video track. Rejects with TypeError
   * when no kind is requested, OverconstrainedError when a required
   * constraint is impossible, NotFoundError, NotReadableError or
   * NotAllowedError.
   */
  getUserMedia(constraints) {
    // The specification's first steps, in JS before any native call: the
    // promise returned for `{}`, both kinds false or a non-object is already
    // rejected with a TypeError.
    let json;
    try {
      const dict = webidl.dictionary(constraints, "Failed to execute 'getUserMedia' on 'MediaDevices': constraints");
      const audio = dict.audio;
      const video = dict.video;
      if (!requestsKind(audio) && !requestsKind(video)) {
        throw new TypeError(
          "Failed to execute 'getUserMedia' on 'MediaDevices': at least one of audio and video must be requested",
        );
      }
      // `(boolean or MediaTrackConstraints)` as WebIDL converts it: null is
      // an empty dictionary, any other non-object a boolean.
      const normalized = { ...dict };
      if (audio !== undefined) normalized.audio = asKind(audio);
      if (video !== undefined) normalized.video = asKind(video);
      json = constraintsJson(normalized, 'getUserMedia');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#open(json);
  }

  async #open(json) {
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
    return listDevices();
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

  // The device list is watched only while someone listens; the watch never
  // keeps the process alive by itself.
  #updateWatch() {
    const wanted = listenerCount(this, ['devicechange']) > 0;
    if (wanted && this.#watch === null) {
      this.#watch = call(() => native.watchDeviceChange(() => this.#deviceChanged()));
      this.#lastExposed = listDevices().catch(() => []);
    } else if (!wanted && this.#watch !== null) {
      this.#watch.close();
      this.#watch = null;
    }
  }

  // Called by the native module on the JS thread when the device list
  // changed: fire `devicechange` (a DeviceChangeEvent) with the new list and
  // the devices that were not in the previous one.
  #deviceChanged() {
    this.#changes = this.#changes.then(async () => {
      let devices;
      try {
        devices = await listDevices();
      } catch {
        return; // the list cannot be read now: the next change will tell
      }
      const previous = new Set((await this.#lastExposed).map(deviceKey));
      this.#lastExposed = Promise.resolve(devices);
      const userInsertedDevices = devices.filter((d) => !previous.has(deviceKey(d)));
      this.dispatchEvent(new DeviceChangeEvent('devicechange', { devices, userInsertedDevices }));
    });
  }
}

webidl.defineInterface(MediaDeviceInfo, {
  attributes: ['deviceId', 'kind', 'label', 'groupId'],
  operations: { toJSON: 0 },
});
webidl.defineInterface(InputDeviceInfo, { operations: { getCapabilities: 0 } });
webidl.defineInterface(MediaDevices, {
  operations: {
    enumerateDevices: { required: 0, promise: true },
    getSupportedConstraints: 0,
    getUserMedia: { required: 0, promise: true },
  },
  eventHandlers: ['devicechange'],
});

const mediaDevices = new MediaDevices(kCreate);

module.exports = { MediaDevices, MediaDeviceInfo, InputDeviceInfo, DeviceChangeEvent, mediaDevices };
