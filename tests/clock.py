"""The clock every test runs on: it stands still until the test moves it.

The app, the ``gql`` client, the factories (session expiry) and the notification worker
all read the same ``FrozenClock``, so a test decides what "now" and "today" are and
nothing depends on the machine's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# A Wednesday mid-morning in Chicago (10:30 CST), far from midnight and from a
# daylight-saving change in every test site's zone (Chicago, Los Angeles).
DEFAULT_INSTANT = datetime(2026, 3, 4, 16, 30, tzinfo=UTC)


class FrozenClock:
    def __init__(self, instant: datetime = DEFAULT_INSTANT) -> None:
        self._now = _checked(instant)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = _checked(instant)

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        """``advance(timedelta(minutes=5))`` or ``advance(minutes=5)``."""
        self._now += (delta or timedelta()) + timedelta(**parts)


def _checked(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("the test clock needs an aware datetime")
    return instant.astimezone(UTC)


_current = FrozenClock()


def current() -> FrozenClock:
    """The running test's clock, for factories that issue sessions or stamp rows."""
    return _current


def install(clock: FrozenClock) -> None:
    global _current
    _current = clock
