"""Closed sockets leave cyclic garbage; every so many of them, one full collection runs."""

from __future__ import annotations

import asyncio

from server.collector import ClosedSockets


async def test_a_full_collection_runs_once_per_so_many_closed_sockets() -> None:
    collections: list[int] = []
    closed = ClosedSockets(every=3, collect=lambda: collections.append(1))
    for _ in range(7):
        closed.closed()
    # Not inside the closing socket's own call: scheduled on the loop.
    assert collections == []
    await asyncio.sleep(0)  # one turn of the loop runs what was scheduled, in order
    # The sixth closed socket scheduled the second; the seventh starts the next count.
    assert collections == [1, 1]
