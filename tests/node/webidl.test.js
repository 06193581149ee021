'use strict';
// The exported classes behave as WebIDL bindings do in a browser (issue 20,
// section 1): members are enumerable, configurable accessors and methods on
// the prototype; Symbol.toStringTag; brand checks on every getter, setter and
// method (on<event> accessors included); the interface objects' lengths;
// illegal constructors; prototype chains; too-few-argument TypeErrors;
// argument conversions.

const test = require('node:test');
const assert = require('node:assert/strict');
const { lms, useFakeDevices, open, stopAll } = require('./helpers.js');

test.after(stopAll);

// Each interface: its parent interface object, `length`, attributes (those
// with a setter marked), operations with their required-argument count
// (`promise` when WebIDL turns their errors into rejections), and whether
// user code may construct it.
const INTERFACES = {
  MediaStream: {
    parent: EventTarget,
    length: 0,
    constructible: true,
    attributes: { id: 'readonly', active: 'readonly', onaddtrack: 'rw', onremovetrack: 'rw' },
    operations: {
      getAudioTracks: 0,
      getVideoTracks: 0,
      getTracks: 0,
      getTrackById: 1,
      addTrack: 1,
      removeTrack: 1,
      clone: 0,
      stop: 0, // ours (LocalMediaStream)
    },
  },
  MediaStreamTrack: {
    parent: EventTarget,
    length: 0,
    constructible: false,
    attributes: {
      kind: 'readonly',
      id: 'readonly',
      label: 'readonly',
      enabled: 'rw',
      muted: 'readonly',
      readyState: 'readonly',
      onmute: 'rw',
      onunmute: 'rw',
      onended: 'rw',
    },
    operations: {
      clone: 0,
      stop: 0,
      getCapabilities: 0,
      getConstraints: 0,
      getSettings: 0,
      applyConstraints: { required: 0, promise: true },
      readFrame: { required: 0, promise: true }, // ours
      frames: 0, // ours
      getStats: 0, // ours
    },
  },
  MediaDevices: {
    parent: EventTarget,
    length: 0,
    constructible: false,
    attributes: { ondevicechange: 'rw' },
    operations: {
      enumerateDevices: { required: 0, promise: true },
      getSupportedConstraints: 0,
      getUserMedia: { required: 0, promise: true },
    },
  },
  MediaDeviceInfo: {
    parent: Function.prototype,
    length: 0,
    constructible: false,
    attributes: { deviceId: 'readonly', kind: 'readonly', label: 'readonly', groupId: 'readonly' },
    operations: { toJSON: 0 },
  },
  InputDeviceInfo: {
    parent: 'MediaDeviceInfo',
    length: 0,
    constructible: false,
    attributes: {},
    operations: { getCapabilities: 0 },
  },
  OverconstrainedError: {
    parent: DOMException,
    length: 1,
    constructible: true,
    attributes: { constraint: 'readonly' },
    operations: {},
  },
  MediaStreamTrackEvent: {
    parent: Event,
    length: 2,
    constructible: true,
    attributes: { track: 'readonly' },
    operations: {},
  },
  DeviceChangeEvent: {
    parent: Event,
    length: 1,
    constructible: true,
    attributes: { devices: 'readonly', userInsertedDevices: 'readonly' },
    operations: {},
  },
  ImageCapture: {
    parent: Function.prototype,
    length: 1,
    constructible: true,
    attributes: { track: 'readonly' },
    operations: {
      takePhoto: { required: 0, promise: true },
      getPhotoCapabilities: { required: 0, promise: true },
      getPhotoSettings: { required: 0, promise: true },
      grabFrame: { required: 0, promise: true },
    },
  },
};

const opSpec = (spec) => (typeof spec === 'number' ? { required: spec, promise: false } : spec);

/** One instance of every interface. */
async function instances() {
  useFakeDevices();
  const stream = await open({ video: true, audio: true });
  const [video] = stream.getVideoTracks();
  const devices = await lms.mediaDevices.enumerateDevices();
  return {
    MediaStream: stream,
    MediaStreamTrack: video,
    MediaDevices: lms.mediaDevices,
    MediaDeviceInfo: devices[0],
    InputDeviceInfo: devices[0],
    OverconstrainedError: new lms.OverconstrainedError('width', 'too wide'),
    MediaStreamTrackEvent: new lms.MediaStreamTrackEvent('addtrack', { track: video }),
    DeviceChangeEvent: new lms.DeviceChangeEvent('devicechange', { devices }),
    ImageCapture: new lms.ImageCapture(video),
  };
}

/** A description of `value` that calls none of its methods. */
function describe(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return `an object with prototype ${Object.getPrototypeOf(value)?.constructor?.name}`;
}

/** Values that implement none of the interfaces (or another one). */
function strangers(name, all) {
  const other = name === 'MediaStream' ? all.MediaStreamTrack : all.MediaStream;
  return [undefined, null, {}, 42, 'x', Object.create(lms[name].prototype), other];
}

test('every interface is exported by name, with its prototype chain', () => {
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const Interface = lms[name];
    assert.equal(typeof Interface, 'function', name);
    assert.equal(Interface.name, name);
    const parent = typeof spec.parent === 'string' ? lms[spec.parent] : spec.parent;
    assert.equal(Object.getPrototypeOf(Interface), parent, `${name}'s parent interface`);
    const parentProto = parent === Function.prototype ? Object.prototype : parent.prototype;
    assert.equal(Object.getPrototypeOf(Interface.prototype), parentProto, `${name}.prototype's prototype`);
    const desc = Object.getOwnPropertyDescriptor(Interface, 'prototype');
    assert.equal(desc.writable, false, `${name}.prototype is not writable`);
  }
  assert.ok(Object.getPrototypeOf(lms.InputDeviceInfo.prototype) === lms.MediaDeviceInfo.prototype);
});

test('each interface object has the length WebIDL gives it', () => {
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const desc = Object.getOwnPropertyDescriptor(lms[name], 'length');
    assert.equal(desc.value, spec.length, `${name}.length`);
    assert.equal(desc.writable, false);
    assert.equal(desc.enumerable, false);
    assert.equal(desc.configurable, true);
  }
});

test('interfaces without a constructor throw TypeError "Illegal constructor"; none is callable without new', () => {
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const Interface = lms[name];
    assert.throws(() => Interface(), TypeError, `${name}() without new`);
    if (spec.constructible) continue;
    for (const args of [[], [undefined], [Symbol('create')], [{}, {}]]) {
      assert.throws(() => new Interface(...args), { name: 'TypeError', message: /Illegal constructor/ }, name);
    }
  }
  // A subclass written by user code cannot get around it either.
  class Mine extends lms.MediaStreamTrack {}
  assert.throws(() => new Mine(), { name: 'TypeError', message: /Illegal constructor/ });
});

test('Symbol.toStringTag names the interface', async () => {
  const all = await instances();
  for (const name of Object.keys(INTERFACES)) {
    const desc = Object.getOwnPropertyDescriptor(lms[name].prototype, Symbol.toStringTag);
    assert.deepEqual(desc, { value: name, writable: false, enumerable: false, configurable: true }, name);
  }
  for (const [name, value] of Object.entries(all)) {
    const expected = name === 'MediaDeviceInfo' ? 'InputDeviceInfo' : name;
    assert.equal(Object.prototype.toString.call(value), `[object ${expected}]`);
  }
});

test('attributes are enumerable, configurable accessors on the prototype, set only where writable', () => {
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const proto = lms[name].prototype;
    for (const [attr, mode] of Object.entries(spec.attributes)) {
      const desc = Object.getOwnPropertyDescriptor(proto, attr);
      assert.ok(desc, `${name}.prototype.${attr} exists`);
      assert.equal(typeof desc.get, 'function', `${name}.${attr} is an accessor`);
      assert.equal(desc.enumerable, true, `${name}.${attr} is enumerable`);
      assert.equal(desc.configurable, true, `${name}.${attr} is configurable`);
      assert.equal(desc.get.name, `get ${attr}`);
      if (mode === 'rw') {
        assert.equal(typeof desc.set, 'function', `${name}.${attr} has a setter`);
        assert.equal(desc.set.name, `set ${attr}`);
      } else {
        assert.equal(desc.set, undefined, `${name}.${attr} is readonly`);
      }
    }
  }
});

test('operations are enumerable, configurable, writable methods on the prototype with their lengths', () => {
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const proto = lms[name].prototype;
    for (const [op, raw] of Object.entries(spec.operations)) {
      const desc = Object.getOwnPropertyDescriptor(proto, op);
      assert.ok(desc, `${name}.prototype.${op} exists`);
      assert.equal(typeof desc.value, 'function', `${name}.${op} is a method`);
      assert.equal(desc.enumerable, true, `${name}.${op} is enumerable`);
      assert.equal(desc.configurable, true, `${name}.${op} is configurable`);
      assert.equal(desc.writable, true, `${name}.${op} is writable`);
      assert.equal(desc.value.name, op);
      assert.equal(desc.value.length, opSpec(raw).required, `${name}.${op}.length`);
    }
  }
});

test('an instance lists every attribute and operation in for...in', async () => {
  const all = await instances();
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const keys = [];
    for (const key in all[name]) keys.push(key);
    for (const member of [...Object.keys(spec.attributes), ...Object.keys(spec.operations)]) {
      assert.ok(keys.includes(member), `${name}: for...in lists ${member}`);
    }
  }
});

test('every getter, setter and method throws TypeError on the wrong `this` (promises reject)', async () => {
  const all = await instances();
  for (const [name, spec] of Object.entries(INTERFACES)) {
    const proto = lms[name].prototype;
    for (const self of strangers(name, all)) {
      for (const [attr, mode] of Object.entries(spec.attributes)) {
        const { get, set } = Object.getOwnPropertyDescriptor(proto, attr);
        assert.throws(() => get.call(self), TypeError, `get ${name}.${attr} on ${describe(self)}`);
        if (mode === 'rw') assert.throws(() => set.call(self, null), TypeError, `set ${name}.${attr}`);
      }
      for (const [op, raw] of Object.entries(spec.operations)) {
        const method = proto[op];
        const args = [{}, {}, {}];
        if (opSpec(raw).promise) {
          const result = method.apply(self, args);
          assert.ok(result instanceof Promise, `${name}.${op} returns a promise`);
          await assert.rejects(result, TypeError, `${name}.${op} on ${describe(self)}`);
        } else {
          assert.throws(() => method.apply(self, args), TypeError, `${name}.${op} on ${describe(self)}`);
        }
      }
    }
    // The right `this` works, for every getter.
    for (const attr of Object.keys(spec.attributes)) {
      assert.doesNotThrow(() => Object.getOwnPropertyDescriptor(proto, attr).get.call(all[name]), `${name}.${attr}`);
    }
  }
  // An InputDeviceInfo is a MediaDeviceInfo.
  const getter = Object.getOwnPropertyDescriptor(lms.MediaDeviceInfo.prototype, 'deviceId').get;
  assert.equal(getter.call(all.InputDeviceInfo), all.InputDeviceInfo.deviceId);
});

test('operations called with too few arguments throw TypeError', async () => {
  const all = await instances();
  const stream = all.MediaStream;
  assert.throws(() => stream.getTrackById(), TypeError);
  assert.throws(() => stream.addTrack(), TypeError);
  assert.throws(() => stream.removeTrack(), TypeError);
  // Optional arguments: fine without them.
  await all.MediaStreamTrack.applyConstraints();
  assert.equal(stream.getTrackById(undefined), null);
  // Constructors with required arguments.
  assert.throws(() => new lms.OverconstrainedError(), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent(), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack'), TypeError);
  assert.throws(() => new lms.DeviceChangeEvent(), TypeError);
  assert.throws(() => new lms.ImageCapture(), TypeError);
  // Every operation's required count, from the table.
  for (const [name, spec] of Object.entries(INTERFACES)) {
    for (const [op, raw] of Object.entries(spec.operations)) {
      const { required, promise } = opSpec(raw);
      if (required === 0) continue;
      const args = new Array(required - 1).fill(undefined);
      if (promise) await assert.rejects(all[name][op](...args), TypeError, `${name}.${op}`);
      else assert.throws(() => all[name][op](...args), TypeError, `${name}.${op}`);
    }
  }
});

test('arguments are converted as WebIDL converts them', async () => {
  const all = await instances();
  const stream = all.MediaStream;
  const [video] = stream.getVideoTracks();
  // DOMString: String(x); a Symbol is a TypeError.
  assert.equal(stream.getTrackById({ toString: () => video.id }), video);
  assert.equal(stream.getTrackById(null), null);
  assert.throws(() => stream.getTrackById(Symbol('id')), TypeError);
  assert.equal(new lms.OverconstrainedError(42).constraint, '42');
  assert.equal(new lms.OverconstrainedError('width', 7).message, '7');
  assert.equal(new lms.DeviceChangeEvent(1).type, '1');
  // Interface types: anything else, even with the right prototype, is a TypeError.
  for (const bad of [{}, null, undefined, 'track', Object.create(lms.MediaStreamTrack.prototype), stream]) {
    assert.throws(() => stream.addTrack(bad), TypeError);
    assert.throws(() => stream.removeTrack(bad), TypeError);
    assert.throws(() => new lms.MediaStream([bad]), TypeError);
    assert.throws(() => new lms.MediaStreamTrackEvent('addtrack', { track: bad }), TypeError);
    assert.throws(() => new lms.ImageCapture(bad), TypeError);
  }
  assert.throws(() => new lms.MediaStream(null), TypeError);
  assert.throws(() => new lms.MediaStream(42), TypeError);
  assert.throws(() => new lms.MediaStream('ab'), TypeError);
  assert.equal(new lms.MediaStream(new Set([video])).getTracks()[0], video);
  // boolean: !!x.
  const clone = video.clone();
  try {
    clone.enabled = 0;
    assert.equal(clone.enabled, false);
    clone.enabled = 'yes';
    assert.equal(clone.enabled, true);
    clone.enabled = '';
    assert.equal(clone.enabled, false);
    clone.enabled = {};
    assert.equal(clone.enabled, true);
  } finally {
    clone.stop();
  }
  // Dictionaries: undefined and null are {}, another primitive a TypeError.
  await video.applyConstraints(null);
  await assert.rejects(video.applyConstraints(5), TypeError);
  assert.throws(() => new lms.MediaStreamTrackEvent('addtrack', 5), TypeError);
  assert.throws(() => new lms.DeviceChangeEvent('devicechange', 'x'), TypeError);
  assert.equal(new lms.DeviceChangeEvent('devicechange', null).devices.length, 0);
  // EventInit members reach Event.
  const event = new lms.MediaStreamTrackEvent('removetrack', { track: video, bubbles: 1, cancelable: true });
  assert.equal(event.bubbles, true);
  assert.equal(event.cancelable, true);
  // Event handlers ([LegacyTreatNonObjectAsNull]): an object is kept (a
  // non-callable one does nothing when the event fires), a primitive is null.
  const seen = [];
  const handler = (e) => seen.push(e.type);
  stream.onaddtrack = handler;
  assert.equal(stream.onaddtrack, handler);
  stream.onaddtrack = 'not a function';
  assert.equal(stream.onaddtrack, null);
  const notCallable = { handleEvent: handler };
  stream.onaddtrack = notCallable;
  assert.equal(stream.onaddtrack, notCallable);
  stream.dispatchEvent(new lms.MediaStreamTrackEvent('addtrack', { track: video }));
  assert.deepEqual(seen, [], 'a non-callable handler is not called (nor its handleEvent)');
  stream.onaddtrack = handler;
  stream.dispatchEvent(new lms.MediaStreamTrackEvent('addtrack', { track: video }));
  assert.deepEqual(seen, ['addtrack']);
  stream.onaddtrack = 0;
  assert.equal(stream.onaddtrack, null);
});

test('getUserMedia() with no kind, both false or a non-object: a promise already rejected, no native call', async () => {
  const native = require('../../bindings/node/lib/binding.js');
  const util = require('node:util');
  const original = native.getUserMedia;
  let calls = 0;
  native.getUserMedia = (...args) => {
    calls++;
    return original.apply(native, args);
  };
  try {
    for (const constraints of [{}, undefined, null, { audio: false, video: false }, { video: 0, audio: '' }, 5, 'video']) {
      const promise = lms.mediaDevices.getUserMedia(constraints);
      // Rejected when the call returns: no microtask, no I/O turn in between.
      assert.match(util.inspect(promise), /<rejected> TypeError/, util.inspect(constraints));
      await assert.rejects(promise, TypeError);
    }
    const noArgs = lms.mediaDevices.getUserMedia();
    assert.match(util.inspect(noArgs), /<rejected> TypeError/);
    await assert.rejects(noArgs, TypeError);
    assert.equal(calls, 0, 'no native call was made');
    // A kind asked for by any truthy value or an object (null is an empty MediaTrackConstraints) opens.
    for (const constraints of [{ video: 1 }, { audio: 'yes' }, { video: null }]) {
      useFakeDevices();
      const stream = await open(constraints);
      assert.equal(stream.getTracks().length, 1, util.inspect(constraints));
    }
    assert.equal(calls, 3);
  } finally {
    native.getUserMedia = original;
  }
});

test('lib/webidl.js converters convert as WebIDL does', () => {
  const webidl = require('../../bindings/node/lib/webidl.js');
  assert.equal(webidl.DOMString(12), '12');
  assert.equal(webidl.DOMString(null), 'null');
  assert.throws(() => webidl.DOMString(Symbol('s')), TypeError);
  assert.equal(webidl.boolean('false'), true);
  assert.equal(webidl.boolean(0), false);
  assert.equal(webidl.unsignedLong(-1), 4294967295);
  assert.equal(webidl.unsignedLong(3.9), 3);
  assert.equal(webidl.unsignedLong(NaN), 0);
  assert.equal(webidl.long(2 ** 31), -(2 ** 31));
  const clamp = webidl.integer(32, false, { clamp: true });
  assert.equal(clamp(-1), 0);
  assert.equal(clamp(2.5), 2);
  assert.equal(clamp(3.5), 4);
  assert.equal(clamp(2 ** 40), 4294967295);
  const enforce = webidl.integer(32, false, { enforceRange: true });
  assert.equal(enforce(5.9), 5);
  for (const bad of [-1, 2 ** 32, Infinity, NaN]) assert.throws(() => enforce(bad), TypeError, String(bad));
  assert.throws(() => webidl.double(Infinity), TypeError);
  assert.equal(webidl.unrestrictedDouble('Infinity'), Infinity);
  assert.throws(() => webidl.unsignedLong(1n), TypeError);
  const mode = webidl.enumeration(['user', 'environment'], 'VideoFacingModeEnum');
  assert.equal(mode('user'), 'user');
  assert.throws(() => mode('left'), TypeError);
  assert.deepEqual(webidl.dictionary(undefined), {});
  assert.deepEqual(webidl.dictionary(null), {});
  assert.throws(() => webidl.dictionary(1), TypeError);
  assert.throws(() => webidl.object(null), TypeError);
  assert.equal(webidl.nullable(webidl.DOMString)(null), null);
});
