"""The end-of-day job: sign out children still signed in once their site's day has ended.

A polling pass in the worker, beside notification delivery, rather than a scheduling
library: each pass is one cheap query on the open sessions (``services/day_close.py``), so
a pass every ``worker_poll_seconds`` is on time to the poll interval in every time zone and
across daylight-saving changes (each site's end is computed from its zone for each local
date), catches up after downtime by itself (the first pass closes every missed day), and
needs no timetable kept in step with the sites' settings. Exactly once comes from the
``DayClose`` row each close claims in its transaction, not from this process: any number
of workers and server instances may run it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from models.attendance import AttendanceEvent
from realtime.bus import EventBus
from services import day_close
from services.clock import Clock

logger = logging.getLogger(__name__)


class DayCloser:
    def __init__(self, *, clock: Clock, bus: EventBus) -> None:
        self.clock = clock
        self.bus = bus

    async def run_once(self) -> list[AttendanceEvent]:
        """Close every site-day whose end has passed now (``playroll worker --once``)."""
        return await day_close.close_due_days(self.clock.now(), self.bus)

    async def run(self, poll_seconds: float, stop: asyncio.Event) -> None:
        """A pass every ``poll_seconds`` until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                # The database may be restarting, or a sign-in raced a close (it rolled
                # back whole): the next pass tries again.
                logger.exception("end-of-day pass failed; retrying in %s s", poll_seconds)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
