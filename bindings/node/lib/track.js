'use strict';
// MediaStreamTrack: a JS EventTarget over one NativeTrack, which holds the
// only long-lived handle to the core's track. When this object is collected
// the handle drops and the device is released if no other track uses it.

const native = require('./binding.js');
const { call, fromNative } = require('./errors.js');
const { listenerCount } = require('./events.js');
const webidl = require('./webidl.js');
const { makeFrame } = require('./frame.js');

const kCreate = Symbol('create');
const kDeliver = Symbol('deliver');
const TRACK_EVENTS = ['ended', 'mute', 'unmute'];
// Reads served at once from the queue in a row, before one goes through the
// thread pool and lets the event loop turn (Node gives closed and collected
// frames back to their device between turns).
const MAX_READS_WITHOUT_TURN = 4;

// Track id -> WeakRef(track), so the one event dispatcher finds its target
// without keeping it alive.
const tracksById = new Map();
// The NativeTrack of a MediaStreamTrack, or null for anything else (set in the class body).
let nativeTrackOf;
const forget = new FinalizationRegistry((id) => {
  if (tracksById.get(id)?.deref() === undefined) tracksById.delete(id);
});

// Called by the native module on the JS thread for `ended`, `mute` and `unmute`.
function dispatchTrackEvent(id, name, _detail) {
  tracksById.get(id)?.deref()?.[kDeliver](name);
}

function parseTimeout(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') {
    throw new TypeError(`readFrame(options): options must be an object like {timeout: 1000}, got ${typeof options}`);
  }
  const { timeout } = options;
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`readFrame(options): timeout must be a number of milliseconds, got ${String(timeout)}`);
  }
  if (timeout < 0 || timeout > 86_400_000) {
    throw new RangeError(`readFrame(options): timeout must be from 0 to 86400000 ms, got ${timeout}`);
  }
  return timeout;
}

// Constraints whose values are `[Clamp] unsigned long` (bare, or the members of a range).
const CLAMPED_ULONG = new Set(['width', 'height', 'sampleRate', 'sampleSize', 'channelCount']);
const RANGE_MEMBERS = new Set(['min', 'max', 'exact', 'ideal']);

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.toJSON !== 'function';

/**
 * The numbers JSON cannot carry, converted as WebIDL converts them before
 * they reach the core: NaN and infinities of a `[Clamp] unsigned long`
 * become 0 and 4294967295 (the core clamps finite values the same way);
 * anywhere else (a `double`) they are a TypeError naming the member.
 */
function webidlNumbers(value, path, clamp = false, depth = 0) {
  // Constraints nest 4 deep at most; deeper (or cyclic) values are left to
  // JSON.stringify and the core, which refuse them.
  if (depth > 8) return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    if (clamp) return value > 0 ? 4294967295 : 0;
    throw new TypeError(`${path} is not a finite floating-point value (${value})`);
  }
  if (Array.isArray(value)) return value.map((v, i) => webidlNumbers(v, `${path}[${i}]`, false, depth + 1));
  if (!isPlainObject(value)) return value;
  const out = {};
  for (const key of Object.keys(value)) {
    const member = value[key];
    const at = `${path}.${key}`;
    if (CLAMPED_ULONG.has(key) && isPlainObject(member)) {
      const range = {};
      for (const k of Object.keys(member)) range[k] = webidlNumbers(member[k], `${at}.${k}`, RANGE_MEMBERS.has(k), depth + 2);
      out[key] = range;
    } else {
      out[key] = webidlNumbers(member, at, CLAMPED_ULONG.has(key), depth + 1);
    }
  }
  return out;
}

function constraintsJson(constraints, what) {
  if (constraints === undefined || constraints === null) return '{}';
  if (typeof constraints !== 'object') {
    throw new TypeError(`${what}: constraints must be an object, got ${typeof constraints}`);
  }
  let converted;
  try {
    converted = webidlNumbers(constraints, 'constraints');
  } catch (error) {
    throw new TypeError(`${what}: ${error.message}`);
  }
  try {
    return JSON.stringify(converted);
  } catch (error) {
    throw new TypeError(`${what}: constraints cannot be read: ${error.message}`);
  }
}

class MediaStreamTrack extends EventTarget {
  #native;
  #id;
  #kind;
  #label;
  #stopped = false;
  #watching = false;
  #pendingReads = 0;
  #readsWithoutTurn = 0;
  #lastRead = null;

  static {
    nativeTrackOf = (value) => (value !== null && typeof value === 'object' && #native in value ? value.#native : null);
  }

  /** Tracks come from getUserMedia() and clone(); the constructor is not public. */
  constructor(token, nativeTrack) {
    webidl.illegalConstructor(token, kCreate);
    super();
    webidl.brand(this, MediaStreamTrack);
    this.#native = nativeTrack;
    this.#id = nativeTrack.id();
    this.#kind = nativeTrack.kind();
    this.#label = nativeTrack.label();
    tracksById.set(this.#id, new WeakRef(this));
    forget.register(this, this.#id);
  }

  get id() {
    return this.#id;
  }
  get kind() {
    return this.#kind;
  }
  get label() {
    return this.#label;
  }
  get enabled() {
    return this.#native.enabled();
  }
  set enabled(value) {
    this.#native.setEnabled(Boolean(value));
  }
  get muted() {
    return this.#native.muted();
  }
  get readyState() {
    return this.#native.readyState();
  }

  /** Ends the track at once, firing no `ended` event; the device is released when no other track uses it. */
  stop() {
    this.#stopped = true;
    this.#native.stop();
    this.#watching = false;
  }

  /** A new track (new id) on the same source with the same settings; a clone of an ended track is ended. */
  clone() {
    return wrapTrack(this.#native.cloneTrack());
  }

  getSettings() {
    return JSON.parse(this.#native.settings());
  }
  getCapabilities() {
    return JSON.parse(this.#native.capabilities());
  }
  getConstraints() {
    return JSON.parse(this.#native.constraints());
  }

  /** Rejects with OverconstrainedError (settings unchanged) when a required value is impossible. */
  async applyConstraints(constraints) {
    const json = constraintsJson(constraints, 'applyConstraints');
    try {
      await this.#native.applyConstraints(json);
    } catch (error) {
      throw fromNative(error);
    }
  }

  /**
   * The next frame. Waits (off the JS thread) up to `timeout` ms, or until a
   * frame comes when no timeout is given. Rejects with a TimeoutError, or an
   * EndedError once the track has ended and no frame is left. Reads of one
   * track settle in order.
   */
  readFrame(options) {
    let timeout;
    try {
      timeout = parseTimeout(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#pendingReads === 0 && this.#readsWithoutTurn < MAX_READS_WITHOUT_TURN) {
      const raw = call(() => this.#native.tryRead());
      if (raw !== null) {
        this.#readsWithoutTurn++;
        return Promise.resolve(makeFrame(raw));
      }
    }
    this.#readsWithoutTurn = 0;
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    const previous = this.#lastRead;
    this.#pendingReads++;
    const read = (async () => {
      try {
        if (previous !== null) await previous;
        // Through the thread pool even when a frame is queued: the event loop
        // turns, and Node hands closed and collected frames back to their device.
        const raw = await this.#native.read(
          deadline === undefined ? undefined : Math.max(0, deadline - performance.now()),
        );
        return makeFrame(raw);
      } catch (error) {
        throw fromNative(error);
      } finally {
        if (--this.#pendingReads === 0) this.#lastRead = null;
      }
    })();
    // Later reads wait for this one to settle, whatever its outcome.
    this.#lastRead = read.then(
      () => undefined,
      () => undefined,
    );
    return read;
  }

  /**
   * Every frame from now on, for `for await`; the loop ends when the track
   * ends (stopped or ended by its source) and no frame is left.
   */
  async *frames(options) {
    for (;;) {
      let frame;
      try {
        frame = await this.readFrame(options);
      } catch (error) {
        if (error?.name === 'EndedError') return;
        throw error;
      }
      yield frame;
    }
  }

  /** Frames delivered to this track, and dropped because it was not read fast enough. */
  getStats() {
    return this.#native.stats();
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

  [kDeliver](name) {
    if (this.#stopped) return; // an event that raced with stop()
    this.dispatchEvent(new Event(name));
  }

  // Events are forwarded (and keep the process alive) only while the track
  // is live and someone listens.
  #updateWatch() {
    const wanted =
      !this.#stopped && listenerCount(this, TRACK_EVENTS) > 0 && this.#native.readyState() === 'live';
    if (wanted && !this.#watching) {
      this.#native.watch(dispatchTrackEvent);
      this.#watching = true;
    } else if (!wanted && this.#watching) {
      this.#native.unwatch();
      this.#watching = false;
    }
  }
}

webidl.defineInterface(MediaStreamTrack, {
  attributes: ['kind', 'id', 'label', { name: 'enabled', type: webidl.boolean }, 'muted', 'readyState'],
  operations: {
    clone: 0,
    stop: 0,
    getCapabilities: 0,
    getConstraints: 0,
    getSettings: 0,
    applyConstraints: { required: 0, args: [webidl.dictionary], promise: true },
    // ours, not the specification's
    readFrame: { required: 0, promise: true },
    frames: 0,
    getStats: 0,
  },
  eventHandlers: ['mute', 'unmute', 'ended'],
});

function wrapTrack(nativeTrack) {
  return new MediaStreamTrack(kCreate, nativeTrack);
}

module.exports = { MediaStreamTrack, wrapTrack, constraintsJson, nativeTrackOf };
