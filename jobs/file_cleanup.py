"""The file job: remove the bytes of files nobody may read any more.

A polling pass beside notification delivery and the end-of-day close (in the server
process on the embedded default, in ``playroll worker`` otherwise). Each pass marks the
uploads never used within a day (``services/file_cleanup.py``), then deletes the bytes
of every marked file from the storage, row by row. Deleting bytes twice is harmless, so
any number of workers may run it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from integrations.file_storage import FileStorage
from services import file_cleanup
from services.clock import Clock

logger = logging.getLogger(__name__)


class FileCleaner:
    def __init__(self, *, clock: Clock, storage: FileStorage) -> None:
        self.clock = clock
        self.storage = storage

    async def run_once(self) -> int:
        """Mark unused uploads, then purge every marked file; returns how many."""
        now = self.clock.now()
        await file_cleanup.remove_unused(now)
        done = 0
        while batch := await file_cleanup.due():
            for row in batch:
                await self.storage.delete(row.storage_key)
                await file_cleanup.purged(row, now)
                done += 1
            if len(batch) < file_cleanup.BATCH:
                break
        return done

    async def run(self, poll_seconds: float, stop: asyncio.Event) -> None:
        """A pass every ``poll_seconds`` until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                # The storage or the database may be away: the next pass tries again.
                logger.exception("file cleanup pass failed; retrying in %s s", poll_seconds)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
