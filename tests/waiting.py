"""Waiting for state another task or process changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Return once ``condition()`` holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        # Polling on purpose: the state lives in the server under test, not behind an Event.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
