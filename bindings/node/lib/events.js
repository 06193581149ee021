'use strict';
// EventTarget helpers: `on<event>` handler attributes and listener counts.

const { getEventListeners } = require('node:events');

const kHandlers = Symbol('eventHandlers');

/**
 * Define `on<name>` for each name on `Class.prototype`, as a browser's event
 * handler attributes: setting a function registers it (in order, at first
 * set), setting anything else (null) removes it; the getter gives it back.
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
        if (typeof value !== 'function') {
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
        entry.listener = (event) => entry.handler.call(this, event);
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
