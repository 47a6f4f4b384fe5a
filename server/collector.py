"""A full garbage collection after every so many closed sockets.

`playroll serve` collects rarely (server/cli.py `_tune_gc`): a fan-out allocates enough
per event to run young collections all the time, and a full collection with 1,000
sockets open costs about 0.2 s. But a closed socket leaves its protocol, handler, tasks
and parsed documents in reference cycles (about 440 objects) that only a full collection
frees: with the rare thresholds alone, the resident set grew by about 60 MB for each
1,000 sockets opened and closed (bench part 7). One full collection per
``COLLECT_EVERY_CLOSED`` closed sockets frees them; it runs as its own loop callback, not
inside the task of the socket that happened to be the thousandth.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

COLLECT_EVERY_CLOSED = 1000


class ClosedSockets:
    def __init__(
        self, every: int = COLLECT_EVERY_CLOSED, collect: Callable[[], object] = gc.collect
    ) -> None:
        self.every = every
        self._collect = collect
        self._since_last = 0

    def closed(self) -> None:
        """One more socket has closed; schedules a full collection every ``every``."""
        self._since_last += 1
        if self._since_last >= self.every:
            self._since_last = 0
            asyncio.get_running_loop().call_soon(self._collect)
