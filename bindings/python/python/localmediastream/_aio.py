"""``async for frame in track``: frames read in a worker thread."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, AsyncIterator

from ._errors import EndedError, TimeoutError

if TYPE_CHECKING:
    from ._native import Frame, MediaStreamTrack

#: How long one wait in the worker thread lasts, in seconds: bounds how long a
#: cancelled iteration keeps a worker busy.
POLL_SECONDS = 0.1


async def frames(track: MediaStreamTrack) -> AsyncIterator[Frame]:
    """Yield the track's frames until it ends, without blocking the event loop.

    A queued frame is taken at once (then the loop gets a turn, so a fast
    source never starves other tasks); otherwise the wait runs in the loop's
    default executor.
    """
    loop = asyncio.get_running_loop()
    while True:
        frame = track.try_read()
        if frame is None:
            try:
                frame = await loop.run_in_executor(None, track.read, POLL_SECONDS)
            except TimeoutError:
                continue
            except EndedError:
                return
        else:
            await asyncio.sleep(0)
        yield frame
