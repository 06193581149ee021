'use strict';
// EventTarget helpers: `on<event>` handler attributes and listener counts.

const { getEventListeners } = require('node:events');

const kHandlers = Symbol('eventHandlers');

/**
 * Define `on<name>` for each name on `Class.prototype`, as a browser's event
 * handler attributes (WebIDL `EventHandler`, [LegacyTreatNonObjectAsNull]):
 * setting an object registers it (in order, at first set), setting a
 * primitive (null, a string, ...) removes it; the getter gives it back. A
 * non-callable object is kept and does nothing when the event fires.
 */
function defineEventHandlers(Class, names) {
  for (const name of names) {
    Object.defineProperty(Class.prototype, `on${name}`, {
      configurable: true,
      enumerable: true,
      get() {
        return this[kHandlers]?.get(name)?.handler ?? null;
      },
      set(value) {
        const handlers = (this[kHandlers] ??= new Map());
        let entry = handlers.get(name);
        if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
          if (entry) {
            handlers.delete(name);
            this.removeEventListener(name, entry.listener);
          }
          return;
        }
        if (entry) {
          entry.handler = value;
          return;
        }
        entry = { handler: value, listener: null };
        entry.listener = (event) => {
          if (typeof entry.handler === 'function') entry.handler.call(this, event);
        };
        handlers.set(name, entry);
        this.addEventListener(name, entry.listener);
      },
    });
  }
}

/** How many listeners `target` has for any of `names`. */
function listenerCount(target, names) {
  let count = 0;
  for (const name of names) {
    count += getEventListeners(target, name).length;
  }
  return count;
}

module.exports = { defineEventHandlers, listenerCount };
