"""An instance that failed to publish owes the channel a RESYNC, and pays it.

Two instances share a real Redis; the publishing one reaches it through a relay the test
cuts, so only its side of the network fails. The subscribing instance's connection stays
healthy, so nothing but the publisher can tell its subscribers that they missed an event.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from broadcaster import Broadcast

from realtime.bus import RESYNC, EventBus, Resync
from realtime.events import Event, KioskAlert
from realtime.redis_backend import ResilientRedisBackend
from tests.redis_server import RedisServer
from tests.tcp_proxy import TcpProxy

CHANNEL = "playroll:test:site"
WITHIN = 10.0  # bounds every wait: a regression fails instead of hanging


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as redis_server:
        yield redis_server


def alert(number: int) -> KioskAlert:
    return KioskAlert(
        agency_id="a", site_id="s", kiosk_id=f"k{number}", kiosk_name="Front door",
        reason="PAD_LOCKED", at="2026-11-02T07:45:00-06:00", until=None,
    )  # fmt: skip


@asynccontextmanager
async def instance(url: str, *, resync_retry: float = 0.1) -> AsyncIterator[EventBus]:
    broadcast = Broadcast(backend=ResilientRedisBackend(url))
    await broadcast.connect()
    bus = EventBus(broadcast, resync_retry=resync_retry)
    try:
        yield bus
    finally:
        await bus.close()
        await broadcast.disconnect()


@asynccontextmanager
async def relay_to(server: RedisServer) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy("127.0.0.1", server.port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


async def heard(messages: AsyncIterator[Event | Resync]) -> Event | Resync:
    return await asyncio.wait_for(anext(messages), WITHIN)


async def test_the_subscribers_of_a_failed_publish_are_resynced_once_the_broker_is_back(
    server: RedisServer,
) -> None:
    async with AsyncExitStack() as stack:
        proxy = await stack.enter_async_context(relay_to(server))
        publisher = await stack.enter_async_context(instance(f"redis://127.0.0.1:{proxy.port}/0"))
        subscriber = await stack.enter_async_context(instance(server.url))
        messages = await stack.enter_async_context(subscriber.listen(CHANNEL))

        await publisher.publish([(CHANNEL, alert(1))])
        assert await heard(messages) == alert(1)

        proxy.cut()
        await publisher.publish([(CHANNEL, alert(2))])  # logged, not raised
        proxy.restore()

        # Nobody publishes again: the publisher pays on its own once Redis takes it.
        assert await heard(messages) is RESYNC


async def test_the_next_event_on_an_owed_channel_comes_after_its_resync(
    server: RedisServer,
) -> None:
    async with AsyncExitStack() as stack:
        proxy = await stack.enter_async_context(relay_to(server))
        # No background retry within the test: the next publish must pay first.
        publisher = await stack.enter_async_context(
            instance(f"redis://127.0.0.1:{proxy.port}/0", resync_retry=3600)
        )
        subscriber = await stack.enter_async_context(instance(server.url))
        messages = await stack.enter_async_context(subscriber.listen(CHANNEL))

        proxy.cut()
        await publisher.publish([(CHANNEL, alert(1))])
        await publisher.publish([(CHANNEL, alert(2))])  # still cut: covered by the RESYNC
        proxy.restore()
        await publisher.publish([(CHANNEL, alert(3)), ("playroll:test:other", alert(4))])

        assert [await heard(messages), await heard(messages)] == [RESYNC, alert(3)]
        # Paid once: the next event goes alone.
        await publisher.publish([(CHANNEL, alert(5))])
        assert await heard(messages) == alert(5)


async def test_an_instance_that_stops_pays_what_it_owes_on_the_way_out(
    server: RedisServer,
) -> None:
    """`playroll worker --once` exits right after its work: it must not take a debt along."""
    async with AsyncExitStack() as stack:
        proxy = await stack.enter_async_context(relay_to(server))
        subscriber = await stack.enter_async_context(instance(server.url))
        messages = await stack.enter_async_context(subscriber.listen(CHANNEL))
        async with instance(f"redis://127.0.0.1:{proxy.port}/0", resync_retry=3600) as publisher:
            proxy.cut()
            await publisher.publish([(CHANNEL, alert(1))])
            proxy.restore()

        assert await heard(messages) is RESYNC
