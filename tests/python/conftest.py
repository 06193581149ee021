"""Shared fixtures: every test starts from fresh fake devices on the
process-wide instance (configure() makes new devices, so usage counts
restart at zero), and leaves no live stream behind."""

from __future__ import annotations

import gc
import time
from typing import Callable, Iterator

import pytest

import localmediastream as lms

UNPACED = {"pacing": "none", "video": 2, "audio": 1}


def fake(**fake_options: object) -> None:
    """Configure fake devices only (unpaced unless told otherwise)."""
    lms.configure(backends=["fake"], fake={**UNPACED, **fake_options})


@pytest.fixture(autouse=True)
def fake_devices() -> Iterator[None]:
    fake()
    yield
    gc.collect()


def eventually(cond: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Wait up to `seconds` for `cond()` to hold (long: it returns as soon as it does)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.002)
    return cond()


class Recorder:
    """A listener that records the events it receives."""

    def __init__(self) -> None:
        self.events: list[lms.Event] = []

    def __call__(self, event: lms.Event) -> None:
        self.events.append(event)

    def settled(self) -> list[lms.Event]:
        lms.flush_events()
        return list(self.events)
