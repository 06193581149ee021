"""Exceptions of localmediastream: one class per error name of the core.

Every class derives from :class:`Error`. Three also derive from the built-in
exception a Python programmer would reach for first:

- ``localmediastream.TypeError`` (the specification's TypeError: no kind
  requested, malformed constraints, bad configuration) is a built-in
  ``TypeError``;
- ``localmediastream.TimeoutError`` (no frame in time) is a built-in
  ``TimeoutError``;
- ``localmediastream.InvalidArgumentError`` (an argument out of range, an
  unknown action or event name) is a ``ValueError``.

``except localmediastream.Error`` catches everything the library raises on
purpose; ``except TypeError`` still catches the malformed-input cases.
"""

from __future__ import annotations

import builtins
from typing import Optional

__all__ = [
    "Error",
    "TypeError",
    "NotFoundError",
    "NotReadableError",
    "OverconstrainedError",
    "NotAllowedError",
    "AbortError",
    "InvalidStateError",
    "InvalidHandleError",
    "InvalidArgumentError",
    "TimeoutError",
    "EndedError",
    "InternalError",
]


class Error(Exception):
    """Base class of every localmediastream error.

    ``name`` is the specification's name of the error (``"NotFoundError"``,
    ``"TypeError"``, ...) and ``message`` says what went wrong.
    """

    name: str = "Error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class TypeError(Error, builtins.TypeError):
    """The request is malformed: no kind asked for, a constraint of the wrong
    type, bad JSON or configuration (the specification's TypeError)."""

    name = "TypeError"


class NotFoundError(Error):
    """No device of the kind asked for exists."""

    name = "NotFoundError"


class NotReadableError(Error):
    """The device exists but could not be opened or read (busy, failing)."""

    name = "NotReadableError"


class OverconstrainedError(Error):
    """A required constraint cannot be met; ``constraint`` names it."""

    name = "OverconstrainedError"

    def __init__(self, message: str = "", constraint: Optional[str] = None) -> None:
        super().__init__(message)
        self.constraint = constraint or ""

    def __reduce__(self) -> tuple[type[OverconstrainedError], tuple[str, str]]:
        return (OverconstrainedError, (self.message, self.constraint))


class NotAllowedError(Error):
    """The application's permission policy refused the request."""

    name = "NotAllowedError"


class AbortError(Error):
    """The request was aborted for another reason."""

    name = "AbortError"


class InvalidStateError(Error):
    """The object is in a state that does not allow the call."""

    name = "InvalidStateError"


class InvalidHandleError(Error):
    """A native handle is stale or foreign (not raised by the Python binding itself)."""

    name = "InvalidHandleError"


class InvalidArgumentError(Error, ValueError):
    """An argument is out of range: a negative timeout, an unknown action or event."""

    name = "InvalidArgumentError"


class TimeoutError(Error, builtins.TimeoutError):
    """No frame arrived before the timeout."""

    name = "TimeoutError"


class EndedError(Error):
    """The track has ended and its queue is empty."""

    name = "EndedError"


class InternalError(Error):
    """A bug or an unexpected failure inside the library."""

    name = "InternalError"


for _cls in (
    Error,
    TypeError,
    NotFoundError,
    NotReadableError,
    OverconstrainedError,
    NotAllowedError,
    AbortError,
    InvalidStateError,
    InvalidHandleError,
    InvalidArgumentError,
    TimeoutError,
    EndedError,
    InternalError,
):
    # Shown as localmediastream.NotFoundError in tracebacks and reprs.
    _cls.__module__ = "localmediastream"
del _cls
