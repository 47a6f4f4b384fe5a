"""Attempt counters that hold under concurrency, for sign-ins and code checks.

An attempt is *taken* before the secret is checked: one conditional UPDATE adds it to
its key's counter only while the counter is under the limit, so however many attempts
arrive at once, at most ``limit`` of them per window ever reach the password hash.
PostgreSQL re-checks the condition on the row after waiting for its lock; SQLite runs
one writer at a time. A window starts with the first attempt under a key and lasts
``window``; a new one starts with the first attempt after it ends.

Expired counters are purged whenever a new counter row is created, so the table holds
only keys tried within their window (plus expired ones until the next new key).

Call these outside a transaction: each step must commit on its own to be seen at once
by concurrent attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from models.access import ThrottleCounter

# Enough for losing every race to concurrent attempts creating or restarting the row.
_ROUNDS = 4


async def take(key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one attempt under ``key``; False, counting nothing, when the limit is reached."""
    for _ in range(_ROUNDS):
        counters = ThrottleCounter.filter(key=key)
        if await counters.filter(expires_at__gt=now, attempts__lt=limit).update(
            attempts=F("attempts") + 1
        ):
            return True
        # An ended window starts again with this attempt (one statement, so one winner).
        if await counters.filter(expires_at__lte=now).update(attempts=1, expires_at=now + window):
            return True
        if await counters.filter(expires_at__gt=now, attempts__gte=limit).exists():
            return False
        try:
            await ThrottleCounter.create(key=key, attempts=1, expires_at=now + window)
        except IntegrityError:
            continue  # a concurrent attempt created it first: count against that row
        await purge(now)
        return True
    return False


async def give_back(key: str, now: datetime) -> None:
    """Uncount one attempt of the current window (it turned out to be a right one)."""
    await ThrottleCounter.filter(key=key, expires_at__gt=now, attempts__gt=0).update(
        attempts=F("attempts") - 1
    )


async def forget(key: str) -> None:
    """Close the key's window: its next attempt starts a new one."""
    await ThrottleCounter.filter(key=key).delete()


async def purge(now: datetime) -> int:
    """Delete every counter whose window has ended; returns how many."""
    return await ThrottleCounter.filter(expires_at__lte=now).delete()
