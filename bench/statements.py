"""SQL statements of one signIn over HTTP with a token already in use (in-process ASGI).

Counted from Tortoise's statement log (``tests.querycount``), for one child and for
three children of the roster room, each signed out again after.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bench.fixture import Fixture
from bench.live import SIGN_IN, SIGN_OUT, post_change
from server.app import create_app
from services.clock import SystemClock
from tests.querycount import count_queries


@dataclass(frozen=True)
class StatementsResult:
    one_child: int
    three_children: int


async def measure(fixture: Fixture) -> StatementsResult:
    # "A warm token" is the premise: a minute of cache, so that a stall of this process
    # (it has just closed 1,000 sockets) between the refresh and the count cannot turn it
    # into a cold one.
    settings = fixture.settings.model_copy(update={"session_cache_seconds": 60})
    app = create_app(settings, clock=SystemClock(), manage_database=False)
    # Its own room: each measured sign-in is its child's first entry of the day, as most
    # are at the morning peak (a later one also reads the day's signatures: one more).
    room = fixture.statements_room
    auth = {"authorization": f"Bearer {fixture.token}"}
    counts = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
            base_url="http://bench",
        ) as http,
    ):
        # Warm up: a first change, so the token is in the session cache and nothing
        # start-up does is counted.
        warm = {
            "query": SIGN_IN,
            "variables": {"i": {"childIds": room.child_ids[-1:], "classroomId": room.id}},
        }
        await post_change(http, fixture.token, warm)
        await post_change(http, fixture.token, {**warm, "query": SIGN_OUT})
        for children in (room.child_ids[:1], room.child_ids[1:4]):
            body = {
                "query": SIGN_IN,
                "variables": {"i": {"childIds": children, "classroomId": room.id}},
            }
            await http.post("/graphql", json={"query": "{ __typename }"}, headers=auth)
            with count_queries() as statements:
                await post_change(http, fixture.token, body)
            counts.append(len(statements))
            await post_change(http, fixture.token, {**body, "query": SIGN_OUT})
    return StatementsResult(one_child=counts[0], three_children=counts[1])
