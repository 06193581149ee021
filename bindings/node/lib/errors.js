'use strict';
// Errors as a browser raises them: the specification's TypeError cases are real
// `TypeError`s, an impossible constraint is an `OverconstrainedError` (a
// `DOMException` with `.constraint`), every other failure a `DOMException`
// whose `.name` is the specification's (or the library's) error name:
// NotFoundError, NotReadableError, NotAllowedError, AbortError,
// InvalidStateError, TimeoutError, EndedError, InvalidArgumentError,
// InvalidHandleError, InternalError.

const webidl = require('./webidl.js');

/** An impossible required constraint; `constraint` names it. */
class OverconstrainedError extends DOMException {
  #constraint;

  /** `constructor(DOMString constraint, optional DOMString message = "")`. */
  constructor(constraint, message = '') {
    webidl.requireArguments(arguments.length, 1, "Failed to construct 'OverconstrainedError'");
    const name = webidl.DOMString(constraint);
    super(webidl.DOMString(message), 'OverconstrainedError');
    webidl.brand(this, OverconstrainedError);
    this.#constraint = name;
  }

  get constraint() {
    return this.#constraint;
  }
}

webidl.defineInterface(OverconstrainedError, { attributes: ['constraint'], length: 1 });

/**
 * The browser's error for an error thrown by the native module (which carries
 * the name in `code`); any other value is returned unchanged.
 */
function fromNative(error) {
  if (!(error instanceof Error) || typeof error.code !== 'string' || !error.code.endsWith('Error')) {
    return error;
  }
  switch (error.code) {
    case 'TypeError':
      return new TypeError(error.message);
    case 'OverconstrainedError':
      return new OverconstrainedError(error.constraint ?? '', error.message);
    default:
      return new DOMException(error.message, error.code);
  }
}

/** Run `fn`, throwing the browser's error for a native one. */
function call(fn) {
  try {
    return fn();
  } catch (error) {
    throw fromNative(error);
  }
}

module.exports = { OverconstrainedError, fromNative, call };
