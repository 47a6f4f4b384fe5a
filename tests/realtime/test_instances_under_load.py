"""Two instances on one Redis under a burst of sign-ins and sign-outs: every socket on
either instance hears every row of its classroom exactly once, each child's sign-in
before its sign-out, whichever instance took each mutation.

With ``PLAYROLL_TEST_REDIS_URL`` set the instances use that Redis; otherwise a private
redis-server, as the other two-instance tests do (skipped where none is installed).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from models.org import Classroom
from realtime import channels
from realtime.bus import EventBus
from server.settings import Settings
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer, serving
from tests.redis_server import RedisServer, require_redis_server
from tests.waiting import eventually
from tests.world import World
from tests.wsclient import WSClient

ROSTER = "subscription($room: ID!) { rosterChanged(classroomId: $room) { child { id } status } }"
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"
CHILDREN_PER_ROOM = 10
SOCKETS_PER_ROOM = 3  # on each instance
# Generous: the burst shares two cores with the database, Redis and the rest of the run.
READ_TIMEOUT = 60.0


@pytest.fixture
def redis_url(settings: Settings) -> Iterator[str]:
    if settings.broadcast_url.startswith("redis"):
        yield settings.broadcast_url
        return
    require_redis_server()  # the project's rule: skip only on a machine without Redis at all
    with RedisServer() as server:
        yield server.url


@pytest.fixture
async def two_instances(
    settings: Settings, redis_url: str, db: None, clock: FrozenClock
) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    on_redis = settings.model_copy(update={"broadcast_url": redis_url})
    async with serving(on_redis, clock) as first, serving(on_redis, clock) as second:
        yield first, second


class Tablet:
    """One socket watching one classroom's roster."""

    def __init__(self, client: WSClient, sub: str, room: str) -> None:
        self.client, self.sub, self.room = client, sub, room

    async def rows_until(self, last_child: str) -> list[tuple[str, str]]:
        """Every (child, status) row read before ``last_child``'s."""
        rows: list[tuple[str, str]] = []
        while True:
            row = (await self.client.next(self.sub, timeout=READ_TIMEOUT))["rosterChanged"]
            if row["child"]["id"] == last_child:
                return rows
            rows.append((row["child"]["id"], row["status"]))


def listeners(bus: EventBus, channel: str, count: int) -> Callable[[], bool]:
    return lambda: bus.subscriber_count(channel) == count


async def watch(server: LiveServer, tokens: list[str], rooms: list[Classroom]) -> list[Tablet]:
    tablets = []
    for room in rooms:
        for n in range(SOCKETS_PER_ROOM):
            # Two people: two shared deliveries per classroom on each instance.
            client = await WSClient.connect(server.ws_url, tokens[n % len(tokens)])
            sub = await client.subscribe(ROSTER, {"room": str(room.id)})
            tablets.append(Tablet(client, sub, str(room.id)))
    bus = server.app.state.bus
    for channel in [channels.classroom_roster(room.id) for room in rooms]:
        await eventually(listeners(bus, channel, SOCKETS_PER_ROOM), within=READ_TIMEOUT)
        await server.subscribed(channel)  # and, through Redis, at the broker
    return tablets


async def post(http: httpx.AsyncClient, url: str, token: str, query: str, i: Any) -> None:
    answer = await http.post(
        url,
        json={"query": query, "variables": {"i": i}},
        headers={"authorization": f"Bearer {token}"},
    )
    payload = answer.json()
    assert answer.status_code == 200, payload
    assert not payload.get("errors"), payload
    assert next(iter(payload["data"].values()))["errors"] == [], payload


async def test_every_socket_on_both_instances_hears_every_row_once_in_order(
    two_instances: tuple[LiveServer, LiveServer], world: World
) -> None:
    one, two = two_instances
    rooms = [world.room, await make.classroom(world.site, "Second room")]
    kids = {
        str(room.id): [
            str((await make.child(room, first_name=f"Burst{i:02d}")).id)
            for i in range(CHILDREN_PER_ROOM)
        ]
        for room in rooms
    }
    last = {str(room.id): str((await make.child(room, first_name="Last")).id) for room in rooms}
    teacher = await make.token_for(world.teacher)
    watchers = [await make.token_for(world.viewer), await make.token_for(world.teacher)]
    tablets = await watch(one, watchers, rooms) + await watch(two, watchers, rooms)

    async with httpx.AsyncClient(timeout=READ_TIMEOUT) as http:

        async def in_then_out(n: int, room: str, child: str) -> None:
            # In on one instance, out on the other: their order must survive the crossing.
            first, second = (one, two) if n % 2 == 0 else (two, one)
            i = {"childIds": [child], "classroomId": room}
            await post(http, first.http_url, teacher, SIGN_IN, i)
            await post(http, second.http_url, teacher, SIGN_OUT, i)

        pairs = [(room, child) for room, children in kids.items() for child in children]
        # All children at once: 40 mutations, 20 on each instance.
        await asyncio.gather(*(in_then_out(n, r, c) for n, (r, c) in enumerate(pairs)))
        # Published after every row of the burst: what a socket reads before it is the burst.
        for room, child in last.items():
            await post(
                http, one.http_url, teacher, SIGN_IN, {"childIds": [child], "classroomId": room}
            )

    heard = await asyncio.gather(*(t.rows_until(last[t.room]) for t in tablets))
    for tablet, rows in zip(tablets, heard, strict=True):
        expected = Counter(
            {(c, s): 1 for c in kids[tablet.room] for s in ("SIGNED_IN", "SIGNED_OUT")}
        )
        assert Counter(rows) == expected
        for child in kids[tablet.room]:
            assert [s for c, s in rows if c == child] == ["SIGNED_IN", "SIGNED_OUT"]
    for tablet in tablets:
        await tablet.client.close()
