"""Close a WebSocket (4403) as soon as the access it was opened with ends.

A socket lives for hours, so checking the token once at ``connection_init`` is not
enough: logout, a role change, a kiosk's revocation, a guardian unlinked from a family
account, a family password reset or the token's expiry must end it too (within a second).
A parent whose access only narrowed reconnects with the same token and gets the new scope.

The process listens once on each principal's access channel, however many sockets that
principal holds open (a thousand dashboards of one agency, say), and each socket adds an
entry and an expiry timer; a listener and two tasks per socket cost each ~8 KiB (bench
part 5). Pub/sub may lose the announcement while the broker is away, so after a resync
each access watched is checked against the database once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketState

from auth.principals import SessionPrincipal
from realtime import channels
from realtime.bus import EventBus, Resync, SlowConsumer
from realtime.events import AccessChanged
from services.clock import Clock

logger = logging.getLogger(__name__)

ACCESS_ENDED = 4403


@dataclass(eq=False)
class Watched:
    """One socket and the access it was opened with."""

    websocket: WebSocket
    principal: SessionPrincipal
    still_valid: Callable[[], Awaitable[bool]]
    expiry: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def channel(self) -> str:
        return channels.access(self.principal.principal_id)


class AccessWatch:
    """The sockets of one process, by the access channel of their principal."""

    def __init__(self, bus: EventBus, clock: Clock) -> None:
        self._bus = bus
        self._clock = clock
        self._sockets: dict[str, set[Watched]] = {}
        self._listeners: dict[str, asyncio.Task[None]] = {}
        # Closes and rechecks under way; referenced so they are not collected mid-flight.
        self._running: set[asyncio.Task[None]] = set()

    def watch(
        self,
        websocket: WebSocket,
        principal: SessionPrincipal,
        still_valid: Callable[[], Awaitable[bool]],
    ) -> Watched:
        watched = Watched(websocket, principal, still_valid)
        remaining = (principal.expires_at - self._clock.now()).total_seconds()
        watched.expiry = asyncio.get_running_loop().call_later(
            max(remaining, 0), self._end, watched, "token expired"
        )
        channel = watched.channel
        self._sockets.setdefault(channel, set()).add(watched)
        if channel not in self._listeners:
            self._listeners[channel] = asyncio.create_task(
                self._listen(channel), name=f"playroll-access-watch:{channel}"
            )
        return watched

    def unwatch(self, watched: Watched) -> None:
        """The socket closed, or is being closed: forget it (idempotent)."""
        if watched.expiry is not None:
            watched.expiry.cancel()
        channel = watched.channel
        sockets = self._sockets.get(channel)
        if sockets is None or watched not in sockets:
            return
        sockets.discard(watched)
        if not sockets:
            del self._sockets[channel]
            self._listeners.pop(channel).cancel()

    def _end(self, watched: Watched, reason: str) -> None:
        if watched not in self._sockets.get(watched.channel, ()):
            return
        self.unwatch(watched)
        logger.info("closing socket of %s: %s", watched.principal.principal_id, reason)
        self._spawn(_close(watched.websocket))

    async def _listen(self, channel: str) -> None:
        reason = "access channel closed"
        try:
            async with self._bus.listen(channel) as changes:
                async for change in changes:
                    if isinstance(change, Resync):
                        self._spawn(self._recheck(channel))
                    elif isinstance(change, AccessChanged):
                        for watched in tuple(self._sockets.get(channel, ())):
                            if change.session_id in (None, str(watched.principal.session_id)):
                                self._end(watched, "access changed")
        except SlowConsumer:
            reason = "access channel overflowed"
        except Exception:
            # Unwatched sockets would outlive a logout: close them (clients reconnect).
            logger.exception("watching %s failed", channel)
            reason = "access watch failed"
        for watched in tuple(self._sockets.get(channel, ())):
            self._end(watched, reason)

    async def _recheck(self, channel: str) -> None:
        """After a resync: each distinct access watched on ``channel``, checked once.

        By principal, not by session: two sockets of one session opened before and after
        a parent's links narrowed hold different access, and only the older one ended.
        """
        by_access: dict[SessionPrincipal, list[Watched]] = {}
        for watched in tuple(self._sockets.get(channel, ())):
            by_access.setdefault(watched.principal, []).append(watched)
        for sockets in by_access.values():
            if not await sockets[0].still_valid():
                for watched in sockets:
                    self._end(watched, "access ended while the broker was away")

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)


async def _close(websocket: WebSocket) -> None:
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.close(code=ACCESS_ENDED, reason="Access ended")
