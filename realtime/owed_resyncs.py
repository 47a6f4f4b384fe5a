"""Channels whose subscribers may have missed an event this process failed to publish.

The broker can refuse one instance's publishes while the other instances still hear it
(a network fault on one side, a publish timeout under load). Their subscribers notice
nothing: their own connection is fine, so no reconnect resyncs them, and their views
stay stale until something else does. The publisher knows what it failed to send, so it
owes each such channel a RESYNC and pays it as soon as the broker takes one: before its
next event on that channel, and in the background, with backoff, until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from realtime.events import RESYNC_MESSAGE

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.1
LONGEST_RETRY_SECONDS = 2.0

# Publishes one message on one channel, raising when the broker did not take it.
Send = Callable[[str, str], Awaitable[None]]


class OwedResyncs:
    def __init__(
        self,
        send: Send,
        *,
        first_retry: float = FIRST_RETRY_SECONDS,
        longest_retry: float = LONGEST_RETRY_SECONDS,
    ) -> None:
        self._send = send
        self._first_retry = first_retry
        self._longest_retry = longest_retry
        self._channels: set[str] = set()
        self._repaying: asyncio.Task[None] | None = None

    def __contains__(self, channel: str) -> bool:
        return channel in self._channels

    def owe(self, channel: str) -> None:
        self._channels.add(channel)
        if self._repaying is None or self._repaying.done():
            self._repaying = asyncio.create_task(self._repay(), name="playroll-owed-resyncs")

    async def pay(self, channel: str) -> bool:
        """Send the RESYNC owed on ``channel``; whether the broker took it."""
        try:
            await self._send(channel, RESYNC_MESSAGE)
        except Exception as exc:
            logger.debug("the RESYNC owed on %s is still owed: %s", channel, exc)
            return False
        self._channels.discard(channel)
        logger.info("sent the RESYNC owed on %s", channel)
        return True

    async def close(self) -> None:
        """Stop retrying, after one last try for each channel still owed (a one-shot
        job runner exits right after its work)."""
        if self._repaying is not None:
            self._repaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._repaying
            self._repaying = None
        for channel in sorted(self._channels):
            if not await self.pay(channel):
                logger.warning("exiting with a RESYNC owed on %s", channel)

    async def _repay(self) -> None:
        delay = self._first_retry
        while self._channels:
            await asyncio.sleep(delay)
            for channel in sorted(self._channels):
                if not await self.pay(channel):
                    break  # the broker is still away: wait longer before the rest
            delay = min(delay * 2, self._longest_retry)
