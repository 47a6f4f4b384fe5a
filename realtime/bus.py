"""Publishing to the broadcast backend without ever failing the change that caused it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from realtime.events import AttendanceChanged

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 1.0


class Broadcaster(Protocol):
    async def publish(self, channel: str, message: str) -> None: ...


class EventBus:
    """Publishes after commit. A slow or dead broker is logged, never raised: the database
    is the source of truth and clients resynchronise from it."""

    def __init__(self, broadcast: Broadcaster | None) -> None:
        self._broadcast = broadcast

    async def publish(self, messages: Sequence[tuple[str, AttendanceChanged]]) -> None:
        if self._broadcast is None:
            return
        for channel, event in messages:
            try:
                await asyncio.wait_for(
                    self._broadcast.publish(channel, event.to_json()), PUBLISH_TIMEOUT_SECONDS
                )
            except Exception:
                logger.warning("could not publish %s on %s", event.type, channel, exc_info=True)
