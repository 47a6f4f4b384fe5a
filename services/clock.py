"""The one clock the application reads.

Everything that needs the time (the request context, services through their ``now``
parameter, the notification worker, the socket guard) gets it from a ``Clock`` passed in
at start-up. Only ``SystemClock`` reads the machine's time, so tests can put the whole
application at any instant (a site's midnight, a daylight-saving change) and move it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)
