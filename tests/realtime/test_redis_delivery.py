"""Delivery over a real Redis: across instances, and through a Redis restart.

The server under test uses a private redis-server started on a free port (never the
shared one), so the test can stop and start it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from models.org import Site
from realtime import channels
from server.settings import Settings
from services import org, rosters
from tests import clock as test_clock
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_SECRET, LiveServer, serving
from tests.realtime.test_subscriptions import COUNTS, ROSTER, closed_code, graphql, sign
from tests.redis_server import RedisServer, require_redis_server
from tests.waiting import eventually
from tests.world import World
from tests.wsclient import WSClient

require_redis_server()


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
async def redis_live(
    settings: Settings, redis: RedisServer, db: None, clock: FrozenClock
) -> AsyncIterator[LiveServer]:
    async with serving(settings.model_copy(update={"broadcast_url": redis.url}), clock) as live:
        yield live


class RosterView:
    """What a tablet shows: the last row received per child."""

    def __init__(self, client: WSClient, sub: str) -> None:
        self.client, self.sub = client, sub
        self.status: dict[str, str] = {}

    async def read(self, quiet_for: float = 0.5) -> None:
        """Apply rows until none arrives for ``quiet_for`` seconds."""
        while True:
            try:
                row = (await self.client.next(self.sub, timeout=quiet_for))["rosterChanged"]
            except TimeoutError:
                return
            self.status[row["child"]["id"]] = row["status"]


async def database_roster(world: World) -> dict[str, str]:
    site = await Site.get(id=world.site.id)
    room = await world.room
    room.site = site
    day = org.local_date(site, test_clock.current().now())
    principal: Any = None  # roster() reads no principal: scoping happened at subscribe
    entries = await rosters.roster(principal, room, day)
    return {str(e.child.id): e.day.status.value for e in entries}


async def test_views_converge_to_the_database_after_redis_restarts(
    redis_live: LiveServer, redis: RedisServer, world: World
) -> None:
    live = redis_live
    teacher = await make.token_for(world.teacher)
    viewer_token = await make.token_for(world.viewer)
    tablet = await WSClient.connect(live.ws_url, viewer_token)
    dashboard = await WSClient.connect(live.ws_url, viewer_token)
    roster = RosterView(tablet, await tablet.subscribe(ROSTER, {"room": str(world.room.id)}))
    counts_sub = await dashboard.subscribe(COUNTS, {"site": str(world.site.id)})
    assert (await dashboard.next(counts_sub))["liveCounts"]["signedIn"] == 0
    await live.subscribed(channels.classroom_roster(world.room.id))

    await sign(live, teacher, world, world.kids[:1])
    await roster.read()
    assert roster.status == {str(world.kids[0].id): "SIGNED_IN"}

    redis.stop()
    # With the broker down, attendance still commits, and promptly.
    started = time.monotonic()
    await sign(live, teacher, world, world.kids[1:])
    await sign(live, teacher, world, world.kids[:1], out=True)
    assert time.monotonic() - started < 5
    redis.start()

    # No client reconnects; within 5 s both views equal the database again.
    deadline = time.monotonic() + 5
    expected = await database_roster(world)
    while roster.status != expected and time.monotonic() < deadline:
        await roster.read(quiet_for=0.3)
    assert roster.status == expected

    latest: dict[str, int] = {}
    while time.monotonic() < deadline + 1:
        try:
            latest = (await dashboard.next(counts_sub, timeout=0.5))["liveCounts"]
        except TimeoutError:
            break
    assert latest == {"enrolled": 3, "signedIn": 2, "signedOut": 1, "absent": 0, "incomplete": 2}

    # And live deliveries resume.
    await sign(live, teacher, world, world.kids[1:2], out=True)
    await roster.read()
    assert roster.status[str(world.kids[1].id)] == "SIGNED_OUT"
    await tablet.close()
    await dashboard.close()


async def test_a_dropped_socket_releases_its_redis_channel(
    redis_live: LiveServer, redis: RedisServer, world: World
) -> None:
    channel = f"classroom:{world.room.id}"
    clients = [
        await WSClient.connect(redis_live.ws_url, await make.token_for(world.viewer))
        for _ in range(3)
    ]
    for client in clients:
        await client.subscribe(ROSTER, {"room": str(world.room.id)})
    await eventually(lambda: redis.numsub(channel) == 1)
    for client in clients:
        client.socket.transport.abort()
    await eventually(lambda: redis.numsub(channel) == 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """``playroll serve`` in its own process, as a second instance behind a balancer."""

    def __init__(self, database_url: str, broadcast_url: str) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "PLAYROLL_DATABASE_URL": database_url,
            "PLAYROLL_BROADCAST_URL": broadcast_url,
            "PLAYROLL_SECRET_KEY": TEST_SECRET,
            "PLAYROLL_DEBUG": "0",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def ready(self) -> None:
        async with httpx.AsyncClient() as client, asyncio.timeout(20):
            while True:
                assert self.process.poll() is None, self.process.stderr.read().decode()  # type: ignore[union-attr]
                try:
                    if (
                        await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    ).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


async def test_an_event_on_one_instance_reaches_a_subscriber_on_another(
    redis: RedisServer, world: World, database_url: str
) -> None:
    # Two server processes on one database: PostgreSQL in production, and on the SQLite
    # pass the same temporary file, which separate processes share safely.
    first = ServerProcess(database_url, redis.url)
    second = ServerProcess(database_url, redis.url)
    try:
        await asyncio.gather(first.ready(), second.ready())
        viewer = await make.token_for(world.viewer, make.ANY_WALL_CLOCK)
        client = await WSClient.connect(second.ws_url, viewer)
        sub = await client.subscribe(ROSTER, {"room": str(world.room.id)})
        await eventually(lambda: redis.numsub(f"classroom:{world.room.id}") > 0)

        teacher = await make.token_for(world.teacher, make.ANY_WALL_CLOCK)
        async with httpx.AsyncClient() as http:
            response = await http.post(
                first.http_url,
                json={
                    "query": "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }",
                    "variables": {
                        "i": {
                            "childIds": [str(world.kids[0].id)],
                            "classroomId": str(world.room.id),
                        }
                    },
                },
                headers={"authorization": f"Bearer {teacher}"},
            )
        assert response.json()["data"]["signIn"]["errors"] == []
        row = (await client.next(sub))["rosterChanged"]
        assert row["child"]["firstName"] == "Ava"
        assert row["status"] == "SIGNED_IN"
        await client.close()
    finally:
        first.stop()
        second.stop()


async def test_a_logout_while_redis_is_down_closes_the_socket_once_it_is_back(
    redis_live: LiveServer, redis: RedisServer, world: World
) -> None:
    """The announcement is lost with Redis; the resync that follows its return makes the
    socket's watcher check the session against the database."""
    token = await make.token_for(world.viewer)
    client = await WSClient.connect(redis_live.ws_url, token)
    await client.subscribe(ROSTER, {"room": str(world.room.id)})
    await redis_live.subscribed(channels.access(world.viewer.id))

    redis.stop()
    result = await graphql(redis_live, token, "mutation { logout { ok } }", {})
    assert result["data"]["logout"]["ok"] is True
    redis.start()

    assert await closed_code(client, within=10.0) == 4403
