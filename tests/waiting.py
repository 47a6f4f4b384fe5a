"""Waiting for state another task or process changes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from realtime.bus import EventBus


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Return once ``condition()`` holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        # Polling on purpose: the state lives in the server under test, not behind an Event.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def until(condition: Callable[[], Awaitable[object]], within: float = 5.0) -> None:
    """Return once the awaited ``condition()`` is truthy (e.g. a row a background task
    writes); fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        # Polling on purpose: the state lives in a database another task writes.
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def subscribed(
    bus: EventBus, *channels: str, redis_url: str | None = None, within: float = 5.0
) -> None:
    """Return once each channel has a listener in the server (and, over Redis, at the broker).

    A subscription is made after the server answers the subscribe message: an event
    published before then is lost, so tests wait for this before they publish.
    """
    await eventually(lambda: all(bus.subscriber_count(c) > 0 for c in channels), within)
    if redis_url is not None:
        import redis

        def at_broker() -> bool:
            with redis.Redis.from_url(redis_url, socket_timeout=2) as r:
                return all(int(n) > 0 for _, n in r.pubsub_numsub(*channels))

        await eventually(at_broker, within)
