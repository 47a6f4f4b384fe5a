"""The access watch (server/socket_guard.py) with the app's in-process bus and real sessions."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import cast

from broadcaster import Broadcast
from starlette.websockets import WebSocket, WebSocketState

from auth import sessions
from auth.principals import SessionPrincipal
from realtime import channels
from realtime.bus import EventBus
from realtime.events import RESYNC_MESSAGE
from server.socket_guard import AccessWatch
from tests import factories as make
from tests.clock import FrozenClock
from tests.waiting import eventually
from tests.world import World


class Socket:
    """What the watch uses of a Starlette WebSocket."""

    def __init__(self) -> None:
        self.application_state = WebSocketState.CONNECTED
        self.closed_with: int | None = None

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = code
        self.application_state = WebSocketState.DISCONNECTED


async def test_after_a_resync_each_access_of_one_session_is_checked_on_its_own(
    world: World, clock: FrozenClock
) -> None:
    """Two sockets of one session, opened before and after the person's access narrowed
    while the broker was away: the resync ends the older one only."""
    token = await make.token_for(world.viewer)
    wider = await sessions.resolve(token, clock.now())
    assert isinstance(wider, SessionPrincipal)
    narrower = dataclasses.replace(wider, site_ids=frozenset())
    checked: list[str] = []

    def check(name: str, valid: bool) -> Callable[[], Awaitable[bool]]:
        async def still_valid() -> bool:
            checked.append(name)
            return valid

        return still_valid

    broadcast = Broadcast("memory://")
    await broadcast.connect()
    try:
        bus = EventBus(broadcast)
        watch = AccessWatch(bus, clock)
        older, newer = Socket(), Socket()
        watch.watch(cast(WebSocket, older), wider, check("older", False))
        watched = watch.watch(cast(WebSocket, newer), narrower, check("newer", True))
        channel = channels.access(world.viewer.id)
        await eventually(lambda: bus.subscriber_count(channel) == 1)

        await broadcast.publish(channel, RESYNC_MESSAGE)
        await eventually(lambda: sorted(checked) == ["newer", "older"])
        await eventually(lambda: older.closed_with == 4403)
        assert newer.closed_with is None
        watch.unwatch(watched)
        await eventually(lambda: bus.subscriber_count(channel) == 0)
    finally:
        await broadcast.disconnect()
