"""ResilientRedisBackend against a real, private redis-server that we break on purpose.

Every wait is bounded, so a regression fails in seconds instead of hanging the run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from broadcaster import Broadcast
from broadcaster._base import Subscriber

from realtime.bus import RESYNC, EventBus
from realtime.events import RESYNC_MESSAGE
from realtime.redis_backend import PublishFailed, ResilientRedisBackend
from tests.redis_server import RedisServer
from tests.waiting import eventually

CHANNEL = "playroll:test:room"
LOGGER = "realtime.redis_backend"


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as redis_server:
        yield redis_server


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[Broadcast]:
    broadcast = Broadcast(backend=ResilientRedisBackend(url))
    await broadcast.connect()
    try:
        yield broadcast
    finally:
        await broadcast.disconnect()


async def received(subscriber: Subscriber, within: float = 5.0) -> str:
    event = await asyncio.wait_for(subscriber.get(), within)
    assert isinstance(event.message, str)
    return event.message


async def received_until(subscriber: Subscriber, wanted: str, within: float) -> list[str]:
    """Every message up to and including ``wanted``."""
    messages: list[str] = []
    async with asyncio.timeout(within):
        while not messages or messages[-1] != wanted:
            messages.append(await received(subscriber, within))
    return messages


async def publish_fails_fast(broadcast: Broadcast) -> float:
    started = time.monotonic()
    with pytest.raises(PublishFailed):
        await broadcast.publish(CHANNEL, "lost")
    return time.monotonic() - started


async def test_a_message_published_right_after_subscribing_is_received(
    server: RedisServer,
) -> None:
    async with connected(server.url) as broadcast, broadcast.subscribe(CHANNEL) as subscriber:
        await broadcast.publish(CHANNEL, "hello")
        event = await asyncio.wait_for(subscriber.get(), 5)
    assert (event.channel, event.message) == (CHANNEL, "hello")


async def test_a_message_reaches_a_subscriber_of_another_instance(server: RedisServer) -> None:
    async with (
        connected(server.url) as first,
        connected(server.url) as second,
        second.subscribe(CHANNEL) as subscriber,
    ):
        await first.publish(CHANNEL, "from the first instance")
        assert await received(subscriber) == "from the first instance"


async def test_subscribers_recover_after_redis_restarts(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    async with connected(server.url) as broadcast, broadcast.subscribe(CHANNEL) as subscriber:
        await broadcast.publish(CHANNEL, "before")
        assert await received(subscriber) == "before"

        server.stop()
        for _ in range(3):
            assert await publish_fails_fast(broadcast) < 1.0
        # Subscribing while Redis is down neither blocks nor fails...
        started = time.monotonic()
        async with broadcast.subscribe("playroll:test:other") as late_subscriber:
            assert time.monotonic() - started < 0.5
            await asyncio.sleep(1.5)  # long enough for the reconnect backoff to grow
            assert await publish_fails_fast(broadcast) < 1.0
            server.start()
            back = time.monotonic()

            # ...and both subscriptions are told to resync, then see new messages.
            assert await received(subscriber) == RESYNC_MESSAGE
            assert await received(late_subscriber) == RESYNC_MESSAGE
            await broadcast.publish(CHANNEL, "after")
            await broadcast.publish("playroll:test:other", "after too")
            assert await received(subscriber) == "after"
            assert await received(late_subscriber) == "after too"
            assert time.monotonic() - back < 5.0

    backend_logs = [r for r in caplog.records if r.name == LOGGER]
    outages = [r for r in backend_logs if "pub/sub unavailable" in r.getMessage()]
    recoveries = [r for r in backend_logs if "back after" in r.getMessage()]
    publish_failures = [r for r in backend_logs if "publishing" in r.getMessage()]
    # One line per outage and one per recovery, not one per retry.
    assert [r.levelno for r in outages] == [logging.WARNING]
    assert [r.levelno for r in recoveries] == [logging.INFO]
    # Three failures in a row log once; the one 1.5 s later logs again.
    assert len(publish_failures) == 2
    assert not [r for r in backend_logs if r.levelno >= logging.ERROR]


async def test_the_first_publish_after_a_quiet_restart_is_delivered(server: RedisServer) -> None:
    async with connected(server.url) as broadcast, broadcast.subscribe(CHANNEL) as subscriber:
        await broadcast.publish(CHANNEL, "before")
        assert await received(subscriber) == "before"
        server.restart()  # nothing published meanwhile: the pooled connection is stale
        assert await received(subscriber) == RESYNC_MESSAGE
        await broadcast.publish(CHANNEL, "after")
        assert await received(subscriber) == "after"


async def test_subscribers_recover_after_redis_hangs(server: RedisServer) -> None:
    async with connected(server.url) as broadcast, broadcast.subscribe(CHANNEL) as subscriber:
        await broadcast.publish(CHANNEL, "before")
        assert await received(subscriber) == "before"

        server.pause()
        try:
            elapsed = await publish_fails_fast(broadcast)
            assert elapsed < 1.0
            await asyncio.sleep(4.0 - elapsed)
        finally:
            server.resume()

        # Surprise: the "failed" publish sat in the frozen server's socket buffer and may
        # still be delivered once it resumes; a PublishFailed means "maybe not delivered".
        messages = await received_until(subscriber, RESYNC_MESSAGE, within=8.0)
        assert set(messages) <= {"lost", RESYNC_MESSAGE}
        await broadcast.publish(CHANNEL, "after")
        messages = await received_until(subscriber, "after", within=5.0)
        assert set(messages) <= {"lost", "after"}


async def test_unsubscribing_and_disconnecting_leave_nothing_behind(server: RedisServer) -> None:
    tasks_before = asyncio.all_tasks()
    broadcast = Broadcast(backend=ResilientRedisBackend(server.url))
    await broadcast.connect()
    async with broadcast.subscribe(CHANNEL):
        assert server.numsub(CHANNEL) == 1
    assert server.numsub(CHANNEL) == 0

    await broadcast.disconnect()
    assert {task for task in asyncio.all_tasks() - tasks_before if not task.done()} == set()


async def test_a_listener_cancelled_while_subscribing_leaves_its_channel(
    server: RedisServer,
) -> None:
    """A socket that drops before Redis has confirmed its SUBSCRIBE (seen in CI on a busy
    machine) must not leave the channel subscribed, nor break the next listener on it."""
    async with connected(server.url) as broadcast:
        bus = EventBus(broadcast)
        backend = broadcast._backend
        assert isinstance(backend, ResilientRedisBackend)

        async def listen_forever() -> None:
            async with bus.listen(CHANNEL):
                await asyncio.Event().wait()

        server.pause()
        try:
            listener = asyncio.create_task(listen_forever())
            # SUBSCRIBE is sent and its confirmation awaited from the frozen server.
            await eventually(lambda: bool(backend._pongs))
            listener.cancel()
        finally:
            server.resume()
        with pytest.raises(asyncio.CancelledError):
            await listener
        await eventually(lambda: server.numsub(CHANNEL) == 0)
        assert bus.subscriber_count(CHANNEL) == 0

        async with bus.listen(CHANNEL) as events:
            await broadcast.publish(CHANNEL, RESYNC_MESSAGE)
            assert await asyncio.wait_for(anext(events), 5) is RESYNC
