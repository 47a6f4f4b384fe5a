"""The one helper every subscription listens through (resolvers/subscriptions.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from starlette.requests import Request

from auth.principals import Anonymous
from realtime.bus import EventBus
from realtime.events import RESYNC_MESSAGE
from resolvers.context import Context
from resolvers.subscriptions import listening
from server.settings import Settings
from tests.clock import FrozenClock


class ScriptedBroker:
    """Delivers the given messages to each subscriber at once, then nothing more."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages

    async def publish(self, channel: str, message: Any) -> None:
        raise AssertionError("nothing publishes here")

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Any]]:
        yield self._stream()

    async def _stream(self) -> AsyncIterator[Any]:
        for message in self.messages:
            yield SimpleNamespace(message=message)
        await asyncio.Event().wait()


def _info(bus: EventBus, settings: Settings, clock: FrozenClock) -> Any:
    request = Request({"type": "http", "method": "POST", "headers": [], "client": ("::1", 1)})
    context = Context(
        request=request, principal=Anonymous(), settings=settings, bus=bus, clock=clock
    )
    return SimpleNamespace(context=context)


async def test_each_message_comes_with_fresh_loaders(
    settings: Settings, clock: FrozenClock
) -> None:
    """The context lives as long as the socket: a loader's cache must not outlive a message."""
    info = _info(EventBus(ScriptedBroker([RESYNC_MESSAGE] * 2)), settings, clock)
    seen = [info.context.loaders]
    async with listening(info, "roster:x") as messages:
        async for _ in messages:
            seen.append(info.context.loaders)
            if len(seen) == 3:
                break
    assert len({id(loaders) for loaders in seen}) == 3


async def test_a_subscriber_too_far_behind_just_stops(
    settings: Settings, clock: FrozenClock
) -> None:
    info = _info(EventBus(ScriptedBroker([RESYNC_MESSAGE] * 5), queue_limit=1), settings, clock)
    received = 0
    async with listening(info, "roster:x") as messages:
        async for _ in messages:
            received += 1
    # The queue overflowed before the first read: the stream ends, nothing is raised.
    assert received == 0
