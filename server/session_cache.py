"""The principal behind a bearer token, kept for a moment so a burst of requests with one
token reads the session once.

An entry lives at most ``seconds`` (PLAYROLL_SESSION_CACHE_SECONDS, 1 s by default; 0
turns the cache off), and an access change announced on the access channel (logout, a
role change, a revoked kiosk or family link) drops it in this process at once. So a
revocation holds everywhere within the cache's lifetime, however it was made, and at
once where it was announced. Refusals are never cached, and a socket's recheck after a
broker outage reads the database itself (server/graphql_view.py).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime

from auth import sessions
from auth.principals import Principal
from auth.tokens import token_digest
from realtime.events import AccessChanged, Event

# More distinct tokens than this within one lifetime: start over rather than grow.
MAX_ENTRIES = 20_000


class SessionCache:
    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Principal]] = {}

    async def resolve(self, token: str, now: datetime, ip_address: str) -> Principal | None:
        if self.seconds <= 0:
            return await sessions.resolve(token, now, ip_address)
        key = token_digest(token)
        at = self._monotonic()
        hit = self._entries.get(key)
        # A clock set back (the wall clock can be) must not keep an entry alive.
        if hit is not None and 0 <= at - hit[0] < self.seconds:
            cached = hit[1]
            expires_at = getattr(cached, "expires_at", None)
            if expires_at is not None and expires_at > now:
                if cached.ip_address == ip_address:
                    return cached
                return dataclasses.replace(cached, ip_address=ip_address)
        principal = await sessions.resolve(token, now, ip_address)
        if principal is None or getattr(principal, "session_id", None) is None:
            self._entries.pop(key, None)
            return principal
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (at, principal)
        return principal

    def announced(self, channel: str, event: Event) -> None:
        """The bus published ``event``: an access change drops the principal's entries."""
        if not isinstance(event, AccessChanged):
            return
        stale = [
            key
            for key, (_, principal) in self._entries.items()
            if str(getattr(principal, "principal_id", "")) == event.principal_id
            and (
                event.session_id is None
                or str(getattr(principal, "session_id", "")) == event.session_id
            )
        ]
        for key in stale:
            del self._entries[key]
