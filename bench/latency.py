"""Part 2: signIn mutation to subscriber socket, vs. a bare broadcaster publish→receive.

The live path is everything a tablet's change goes through before another tablet shows
it: HTTP, GraphQL, the transaction and audit rows, the roster row rebuilt after commit,
publish on the broadcast backend, the subscription's resolver, serialisation and a
WebSocket frame over a real loopback socket. The app runs under uvicorn in this process
(as in ``tests.conftest.serving``). The baseline is a ``Broadcast`` on the same backend
URL publishing a real event's JSON to a subscriber in the same process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from broadcaster import Broadcast

from bench.fixture import Fixture
from bench.live import Changes, Listener, subscribe
from bench.stats import Summary, ratio
from realtime import channels
from server.app import broadcast_for
from services.clock import SystemClock
from tests.conftest import serving

ROUND_TIMEOUT = 5.0


@dataclass(frozen=True)
class LatencyResult:
    live: Summary
    bare: Summary
    payload_bytes: int

    @property
    def p50_ratio(self) -> float:
        return ratio(self.live.p50, self.bare.p50)

    @property
    def p99_ratio(self) -> float:
        return ratio(self.live.p99, self.bare.p99)


async def measure(
    fixture: Fixture, warmup: int, rounds: int, bare_warmup: int, bare_rounds: int
) -> LatencyResult:
    live, payload = await _live_latency(fixture, warmup, rounds)
    bare = await _bare_latency(fixture.settings.broadcast_url, payload, bare_warmup, bare_rounds)
    return LatencyResult(live=live, bare=bare, payload_bytes=len(payload.encode()))


async def _live_latency(fixture: Fixture, warmup: int, rounds: int) -> tuple[Summary, str]:
    """Latency samples, and one event exactly as the app published it."""
    changes = Changes(fixture.latency_room.id, fixture.latency_room.child_ids)
    listener = Listener()
    async with serving(fixture.settings, SystemClock()) as server:
        client, sub_id = await subscribe(server.ws_url, fixture.token, fixture.latency_room.id)
        listener.add(client, sub_id)
        base_url = f"http://127.0.0.1:{server.port}"
        try:
            samples: list[float] = []
            async with httpx.AsyncClient(base_url=base_url) as http:

                async def change() -> None:
                    round_ = await listener.change(http, fixture.token, changes, ROUND_TIMEOUT)
                    if not round_.arrivals:
                        raise RuntimeError(f"a change took over {ROUND_TIMEOUT} s to arrive")
                    samples.append(round_.to_last)

                await listener.prime(http, fixture.token, changes)
                channel = channels.classroom_roster(fixture.latency_room.id)
                payload = await _published(server.app.state.broadcast, channel, change)
                for _ in range(warmup):
                    await change()
                samples.clear()
                for _ in range(rounds):
                    await change()
        finally:
            await listener.close()
            await client.close()
    return Summary.of(samples), payload


async def _published(
    broadcast: Broadcast, channel: str, change: Callable[[], Awaitable[None]]
) -> str:
    """The message ``change`` publishes on ``channel``, read off the app's own broadcast."""
    async with broadcast.subscribe(channel) as subscriber:
        await change()
        event = await asyncio.wait_for(subscriber.get(), ROUND_TIMEOUT)
    return str(event.message)


async def _bare_latency(url: str, payload: str, warmup: int, rounds: int) -> Summary:
    """publish → receive on a fresh Broadcast, stamped by a reader task like the sockets."""
    broadcast = broadcast_for(url)
    await broadcast.connect()
    channel = f"bench:bare:{time.time_ns()}"  # never a channel the app uses
    received: asyncio.Queue[float] = asyncio.Queue()

    async def read(subscriber: Any) -> None:  # broadcaster does not export Subscriber
        while True:
            await subscriber.get()
            received.put_nowait(time.perf_counter())

    samples: list[float] = []
    try:
        async with broadcast.subscribe(channel) as subscriber:
            reader = asyncio.create_task(read(subscriber))
            try:
                for i in range(warmup + rounds):
                    started = time.perf_counter()
                    await broadcast.publish(channel, payload)
                    arrived = await asyncio.wait_for(received.get(), ROUND_TIMEOUT)
                    if i >= warmup:
                        samples.append(arrived - started)
            finally:
                reader.cancel()
    finally:
        await broadcast.disconnect()
    return Summary.of(samples)
