"""Sockets that misbehave: a reader too slow to keep up, a client cut off mid-stream."""

from __future__ import annotations

import asyncio
import gc
import secrets
from collections.abc import AsyncIterator

import pytest
from websockets.exceptions import ConnectionClosed

from realtime import channels
from realtime.bus import EventBus
from realtime.events import AttendanceChanged, EventPayload
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer, serving
from tests.realtime.test_subscriptions import ROSTER
from tests.waiting import eventually
from tests.world import World
from tests.wsclient import WSClient

QUEUE_LIMIT = 10
PADDING = secrets.token_urlsafe(20_000)


def change(world: World, n: int, padding: int = 20_000) -> AttendanceChanged:
    return AttendanceChanged(
        agency_id=str(world.agency.id),
        site_id=str(world.site.id),
        classroom_id=str(world.room.id),
        local_date="2026-11-23",
        child_id=str(world.kids[0].id),
        child_first_name="Ava",
        child_last_name="Lastname0",
        scheduled=True,
        status="SIGNED_IN",
        signed_in_at="2026-11-23T14:00:00+00:00",
        signed_out_at=None,
        absence_reason=None,
        as_of=f"2026-11-23T14:00:{n % 60:02d}+00:00",
        event=EventPayload(
            id=str(n),
            kind="SIGN_IN",
            at="2026-11-23T14:00:00+00:00",
            recorded_at="2026-11-23T14:00:00+00:00",
            # Large, incompressible rows (sockets use permessage-deflate) fill buffers sooner.
            actor=PADDING[:padding],
            actor_kind="STAFF",
            operator=None,
            source="STAFF_ENTRY",
            auth_method="STAFF_ENTRY",
            device="test",
            reason=None,
        ),
    )


@pytest.fixture
async def small_queue_server(
    settings: Settings, db: None, clock: FrozenClock
) -> AsyncIterator[LiveServer]:
    small = settings.model_copy(update={"subscriber_queue_limit": QUEUE_LIMIT})
    async with serving(small, clock) as s:
        yield s


async def test_a_slow_reader_is_cut_off_without_holding_up_the_others(
    small_queue_server: LiveServer, world: World
) -> None:
    live = small_queue_server
    token = await make.token_for(world.viewer)
    # The slow reader stops reading at once: its client buffers one message, then TCP fills.
    slow = await WSClient.connect(live.ws_url, token, max_queue=1)
    fast = await WSClient.connect(live.ws_url, token)
    await slow.subscribe(ROSTER, {"room": str(world.room.id)})
    fast_sub = await fast.subscribe(ROSTER, {"room": str(world.room.id)})
    bus: EventBus = live.app.state.bus
    await eventually(lambda: bus.subscriber_count(channels.classroom_roster(world.room.id)) == 2)
    # Loopback sockets buffer tens of megabytes: send more than that.
    total = 3000

    async def publish() -> None:
        for n in range(total):
            await bus.publish([(channels.classroom_roster(world.room.id), change(world, n))])
            if n % 50 == 0:
                await asyncio.sleep(0)  # let sockets drain, as real traffic would

    async def read_all() -> int:
        for _ in range(total):
            await fast.next(fast_sub, timeout=10)
        return total

    publishing = asyncio.create_task(publish())
    assert await read_all() == total
    await publishing

    # The slow socket was closed as a slow consumer; it sees that once it reads again.
    received, code = await slow.drain_until_closed()
    assert code == 1013
    # It got at most what the buffers held when it was cut off, never the whole stream.
    assert received < total // 2
    await fast.close()


async def test_a_client_cut_off_without_a_close_frame_is_cleaned_up(
    live: LiveServer, world: World
) -> None:
    broadcast = live.app.state.broadcast
    baseline_tasks = len(asyncio.all_tasks())
    baseline_channels = dict(broadcast._subscribers)

    clients = [
        await WSClient.connect(live.ws_url, await make.token_for(world.viewer)) for _ in range(5)
    ]
    for client in clients:
        await client.subscribe(ROSTER, {"room": str(world.room.id)})
        await client.subscribe(
            ROSTER.replace("rosterChanged", "r2: rosterChanged"), {"room": str(world.room.id)}
        )
    channel = channels.classroom_roster(world.room.id)
    bus: EventBus = live.app.state.bus
    # Ten sockets' subscriptions, delivered by two shared listeners (one per document).
    await eventually(lambda: bus.subscriber_count(channel) == 10)
    assert len(broadcast._subscribers.get(channel, ())) == 2
    assert len(asyncio.all_tasks()) > baseline_tasks

    for client in clients:
        client.socket.transport.abort()  # no close frame, no goodbye

    await eventually(
        lambda: (
            len(asyncio.all_tasks()) <= baseline_tasks
            and dict(broadcast._subscribers) == baseline_channels
            and bus.subscriber_count(channel) == 0
        )
    )
    gc.collect()
    assert channel not in broadcast._subscribers


async def test_a_socket_that_never_sends_connection_init_is_closed(
    settings: Settings, db: None, clock: FrozenClock
) -> None:
    import websockets

    quick = settings.model_copy(update={"connection_init_wait_seconds": 0.3})
    async with serving(quick, clock) as live:
        socket = await websockets.connect(live.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(3):
                await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


async def test_fanning_an_event_out_costs_no_query_per_subscriber(
    live: LiveServer, world: World
) -> None:
    from tests.querycount import count_queries

    token = await make.token_for(world.viewer)
    clients = [await WSClient.connect(live.ws_url, token) for _ in range(10)]
    subs = [await c.subscribe(ROSTER, {"room": str(world.room.id)}) for c in clients]
    channel = channels.classroom_roster(world.room.id)
    bus: EventBus = live.app.state.bus
    await eventually(lambda: bus.subscriber_count(channel) == 10)

    with count_queries() as statements:
        await bus.publish([(channel, change(world, 1, padding=10))])
        rows = [(await c.next(s))["rosterChanged"] for c, s in zip(clients, subs, strict=True)]
    assert [r["child"]["firstName"] for r in rows] == ["Ava"] * 10
    assert statements == []
    for client in clients:
        await client.close()
