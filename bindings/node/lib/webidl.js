'use strict';
// WebIDL bindings for the library's JavaScript classes: what a browser's
// generated bindings do, in one place, so every exported class behaves as an
// interface does in a browser (what code and test suites written for browsers
// check). Write the class as usual (getters, setters, methods using private
// fields), then describe it once:
//
//   class MediaStream extends EventTarget {
//     constructor(arg) { super(); webidl.brand(this, MediaStream); ... }
//     get id() { ... }
//     getTrackById(id) { ... }          // receives the converted arguments
//   }
//   webidl.defineInterface(MediaStream, {
//     name: 'MediaStream',              // Symbol.toStringTag (default: Class.name)
//     length: 0,                        // the interface object's `length` (default 0)
//     attributes: ['id', 'active', {name: 'enabled', type: webidl.boolean}],
//     operations: {
//       getTracks: 0,                   // a count of required arguments...
//       getTrackById: [1, webidl.DOMString],   // ...or [required, converter per argument...]
//       addTrack: [1, webidl.interfaceType(MediaStreamTrack, 'MediaStreamTrack')],
//       applyConstraints: { required: 0, args: [webidl.dictionary], promise: true },
//     },
//     eventHandlers: ['addtrack', 'removetrack'],   // on<name> accessors (events.js)
//   });
//
// What defineInterface does to `Class`:
// - each attribute (an accessor already on the prototype) and operation (a
//   method on the prototype) is replaced by a wrapper, enumerable and
//   configurable, which first checks the brand of `this` (TypeError "Illegal
//   invocation" for anything that was not given the brand by
//   `webidl.brand(obj, Class)`, called in the constructor of each class of the
//   chain), then, for operations, throws a TypeError when fewer than the
//   required arguments are passed and converts each argument with its
//   converter (`undefined` left as is for optional arguments), then calls the
//   original. A setter converts its value with the attribute's `type`.
// - operations marked `promise: true` (async functions are detected) turn
//   every one of these TypeErrors into a rejected promise, as WebIDL does.
// - a method's `length` is its required-argument count, its `name` unchanged;
//   a getter's name is `get <name>`, a setter's `set <name>`.
// - `Symbol.toStringTag` is a non-writable, non-enumerable, configurable
//   data property; the interface object's `length` is set.
// An interface without a constructor ("Illegal constructor") checks a private
// token in its own constructor: `webidl.illegalConstructor(token, kCreate)`.
// A constructor with required arguments checks them itself with
// `webidl.requireArguments(arguments.length, n, 'Foo constructor')`.
//
// Converters (for arguments and setters), each `(value, what) -> value`:
// DOMString, boolean, double, unrestrictedDouble, unsignedLong, long,
// unsignedLongLong, longLong, integer(bits, signed, {clamp, enforceRange}),
// enumeration(values, name), dictionary, object, interfaceType(Class, name),
// nullable(conv), any.

const { defineEventHandlers } = require('./events.js');

const brands = new WeakMap(); // Class -> WeakSet of its instances

function brandSet(Class) {
  let set = brands.get(Class);
  if (set === undefined) {
    set = new WeakSet();
    brands.set(Class, set);
  }
  return set;
}

/** Give `obj` the brand of `Class` (call it in `Class`'s constructor, for each class of the chain). */
function brand(obj, Class) {
  brandSet(Class).add(obj);
  return obj;
}

/** True when `obj` implements `Class` (has its brand). */
function implementsInterface(obj, Class) {
  return obj !== null && (typeof obj === 'object' || typeof obj === 'function') && brandSet(Class).has(obj);
}

function checkBrand(obj, Class, name, member) {
  if (!implementsInterface(obj, Class)) {
    throw new TypeError(`Illegal invocation: ${name}.${member} called on an object that is not a ${name}`);
  }
}

/** Throws TypeError "Illegal constructor" unless `token` is the library's private `expected`. */
function illegalConstructor(token, expected) {
  if (token !== expected) throw new TypeError('Illegal constructor');
}

function requireArguments(count, required, what) {
  if (count < required) {
    throw new TypeError(
      `${what}: ${required} argument${required === 1 ? '' : 's'} required, but only ${count} present`,
    );
  }
}

// ---- converters (value, context) -> converted value ----

function DOMString(value) {
  if (typeof value === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
  return String(value);
}

function boolean(value) {
  return !!value;
}

function toNumber(value) {
  if (typeof value === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number');
  return Number(value);
}

function unrestrictedDouble(value) {
  return toNumber(value);
}

function double(value) {
  const x = toNumber(value);
  if (!Number.isFinite(x)) throw new TypeError('The provided value is non-finite');
  return x;
}

/**
 * WebIDL's ConvertToInt: a converter to an integer type of `bits` bits
 * (`signed` or not); `{enforceRange: true}` is [EnforceRange] (TypeError for
 * NaN, infinities and values out of range), `{clamp: true}` is [Clamp]
 * (clamped, rounded half to even); the default wraps modulo 2^bits.
 */
function integer(bits, signed, { enforceRange = false, clamp = false } = {}) {
  const lower = bits === 64 ? (signed ? Number.MIN_SAFE_INTEGER : 0) : signed ? -(2 ** (bits - 1)) : 0;
  const upper = bits === 64 ? Number.MAX_SAFE_INTEGER : signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return (value, what = 'The value') => {
    let x = toNumber(value);
    if (Object.is(x, -0)) x = 0;
    if (enforceRange) {
      if (!Number.isFinite(x)) throw new TypeError(`${what} is not a finite number`);
      x = Math.trunc(x);
      if (x < lower || x > upper) throw new TypeError(`${what} is outside the range [${lower}, ${upper}]`);
      return x + 0;
    }
    if (clamp && !Number.isNaN(x)) {
      x = Math.min(Math.max(x, lower), upper);
      const floor = Math.floor(x);
      const diff = x - floor;
      x = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
      return x + 0;
    }
    if (!Number.isFinite(x) || x === 0) return 0;
    x = Math.trunc(x);
    if (bits === 64) return x; // beyond 2^53 a double cannot hold the modulo anyway
    const size = 2 ** bits;
    x = ((x % size) + size) % size;
    if (signed && x > upper) x -= size;
    return x;
  };
}
const unsignedLong = integer(32, false);
const long = integer(32, true);
const unsignedLongLong = integer(64, false);
const longLong = integer(64, true);

/** A converter to an enumeration: String(x), a TypeError unless it is one of `values`. */
function enumeration(values, name) {
  const allowed = new Set(values);
  return (value, what = 'The value') => {
    const s = DOMString(value);
    if (!allowed.has(s)) throw new TypeError(`${what}: '${s}' is not a valid value for enumeration ${name}`);
    return s;
  };
}

/** A dictionary: undefined or null give {}, an object is kept, anything else is a TypeError. */
function dictionary(value, what = 'The argument') {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${what} is not an object (a dictionary)`);
  }
  return value;
}

function object(value, what = 'The argument') {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    throw new TypeError(`${what} is not an object`);
  }
  return value;
}

function any(value) {
  return value;
}

/** A converter to the interface `Class`: TypeError for anything else. */
function interfaceType(Class, name = Class.name) {
  return (value, what = 'The argument') => {
    if (!implementsInterface(value, Class)) throw new TypeError(`${what} is not of type '${name}'`);
    return value;
  };
}

function nullable(convert) {
  return (value, what) => (value === null || value === undefined ? null : convert(value, what));
}

// ---- the interface ----

function operationSpec(spec) {
  if (typeof spec === 'number') return { required: spec, args: [], promise: undefined };
  if (Array.isArray(spec)) return { required: spec[0], args: spec.slice(1), promise: undefined };
  return { required: spec.required ?? 0, args: spec.args ?? [], promise: spec.promise };
}

function defineInterface(Class, options = {}) {
  const name = options.name ?? Class.name;
  const proto = Class.prototype;

  if (options.eventHandlers?.length) defineEventHandlers(Class, options.eventHandlers);
  const attributes = [...(options.attributes ?? []), ...(options.eventHandlers ?? []).map((e) => `on${e}`)];

  for (const entry of attributes) {
    const attr = typeof entry === 'string' ? { name: entry } : entry;
    const desc = Object.getOwnPropertyDescriptor(proto, attr.name);
    if (desc === undefined || desc.get === undefined) {
      throw new Error(`webidl: ${name}.prototype has no getter ${attr.name}`);
    }
    const { get: originalGet, set: originalSet } = desc;
    const convert = attr.type ?? any;
    const getter = {
      [`get ${attr.name}`]() {
        checkBrand(this, Class, name, attr.name);
        return originalGet.call(this);
      },
    }[`get ${attr.name}`];
    Object.defineProperty(getter, 'name', { value: `get ${attr.name}` });
    let setter;
    if (originalSet !== undefined) {
      setter = {
        [`set ${attr.name}`](value) {
          checkBrand(this, Class, name, attr.name);
          originalSet.call(this, convert(value, `${name}.${attr.name}`));
        },
      }[`set ${attr.name}`];
      Object.defineProperty(setter, 'name', { value: `set ${attr.name}` });
    }
    Object.defineProperty(proto, attr.name, { get: getter, set: setter, enumerable: true, configurable: true });
  }

  for (const [opName, rawSpec] of Object.entries(options.operations ?? {})) {
    const original = proto[opName];
    if (typeof original !== 'function') throw new Error(`webidl: ${name}.prototype has no method ${opName}`);
    const spec = operationSpec(rawSpec);
    const promise = spec.promise ?? original.constructor?.name === 'AsyncFunction';
    const what = `${name}.${opName}`;
    const prepare = (self, args) => {
      checkBrand(self, Class, name, opName);
      requireArguments(args.length, spec.required, `Failed to execute '${opName}' on '${name}'`);
      const converted = Array.from(args);
      for (let i = 0; i < spec.args.length && i < converted.length; i++) {
        const convert = spec.args[i];
        if (convert && !(i >= spec.required && converted[i] === undefined)) {
          converted[i] = convert(converted[i], `${what}: argument ${i + 1}`);
        }
      }
      return converted;
    };
    const method = promise
      ? {
          [opName](...args) {
            let converted;
            try {
              converted = prepare(this, args);
            } catch (error) {
              return Promise.reject(error);
            }
            return original.apply(this, converted);
          },
        }[opName]
      : {
          [opName](...args) {
            return original.apply(this, prepare(this, args));
          },
        }[opName];
    Object.defineProperty(method, 'length', { value: spec.required });
    Object.defineProperty(proto, opName, { value: method, writable: true, enumerable: true, configurable: true });
  }

  Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
  Object.defineProperty(Class, 'length', { value: options.length ?? 0, configurable: true });
  return Class;
}

module.exports = {
  defineInterface,
  brand,
  implementsInterface,
  illegalConstructor,
  requireArguments,
  DOMString,
  boolean,
  double,
  unrestrictedDouble,
  integer,
  unsignedLong,
  long,
  unsignedLongLong,
  longLong,
  enumeration,
  dictionary,
  object,
  any,
  interfaceType,
  nullable,
};
