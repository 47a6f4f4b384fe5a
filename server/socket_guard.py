"""Close a WebSocket (4403) as soon as the access it was opened with ends.

A socket lives for hours, so checking the token once at ``connection_init`` is not
enough: logout, a role change, a kiosk's revocation, a guardian unlinked from a family
account, a family password reset or the token's expiry must end it too (within a second).
A parent whose access only narrowed reconnects with the same token and gets the new scope.
Each socket gets one watcher that listens on its principal's access channel and sleeps
until the token expires. Pub/sub may lose the announcement while the broker is away, so
after a resync the watcher checks the session against the database once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket, WebSocketState

from auth.principals import SessionPrincipal
from realtime import channels
from realtime.bus import EventBus, Resync, SlowConsumer
from realtime.events import AccessChanged
from services.clock import Clock

logger = logging.getLogger(__name__)

ACCESS_ENDED = 4403


async def _access_ends(
    principal: SessionPrincipal, bus: EventBus, still_valid: Callable[[], Awaitable[bool]]
) -> str:
    async with bus.listen(channels.access(principal.principal_id)) as changes:
        async for change in changes:
            if isinstance(change, Resync) and not await still_valid():
                return "access ended while the broker was away"
            if isinstance(change, AccessChanged) and change.session_id in (
                None,
                str(principal.session_id),
            ):
                return "access changed"
    return "access channel closed"


async def guard(
    websocket: WebSocket,
    principal: SessionPrincipal,
    bus: EventBus,
    still_valid: Callable[[], Awaitable[bool]],
    clock: Clock,
) -> None:
    remaining = (principal.expires_at - clock.now()).total_seconds()
    try:
        reason = await asyncio.wait_for(
            _access_ends(principal, bus, still_valid), timeout=max(remaining, 0)
        )
    except TimeoutError:
        reason = "token expired"
    except SlowConsumer:
        reason = "access channel overflowed"
    logger.info("closing socket of %s: %s", principal.principal_id, reason)
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.close(code=ACCESS_ENDED, reason="Access ended")
