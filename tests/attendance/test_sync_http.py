"""Offline sync through the real ASGI app, as a tablet would send it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from models.attendance import AttendanceEvent, AttendanceSession
from models.sync import SyncConflict
from tests import factories as make
from tests.attendance.sync_helpers import SYNC, batch, entry
from tests.world import World

EIGHT = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
ROSTER = """
query($id: ID!) { classroom(id: $id) { roster { child { id } status signedInAt signedOutAt } } }
"""


async def _post(http: httpx.AsyncClient, token: str, query: str, variables: dict) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _roster(http: httpx.AsyncClient, token: str, world: World) -> list[dict]:
    data = await _post(http, token, ROSTER, {"id": str(world.room.id)})
    return data["classroom"]["roster"]


def _day(world: World) -> list[dict[str, Any]]:
    ava, ben, cleo = world.kids
    hour = timedelta(hours=1)
    return [
        entry("SIGN_IN", ava, world.room, EIGHT),
        entry("SIGN_OUT", ava, world.room, EIGHT + hour),
        entry("SIGN_IN", ava, world.room, EIGHT + 2 * hour),
        entry("SIGN_IN", ben, world.room, EIGHT + timedelta(minutes=20)),
        entry("SIGN_OUT", ben, world.room, EIGHT + 2 * hour),
        entry("ABSENT", cleo, world.room, EIGHT, reason="Fever"),
    ]


async def _wipe() -> None:
    await SyncConflict.all().delete()
    await AttendanceSession.all().delete()
    await AttendanceEvent.all().delete()


async def test_a_batch_sent_twice_and_shuffled_gives_the_same_roster(
    http: httpx.AsyncClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    entries = _day(world)
    await _post(http, token, SYNC, batch("tablet-1", entries))
    in_order = await _roster(http, token, world)
    assert {r["status"] for r in in_order} == {"SIGNED_IN", "SIGNED_OUT", "ABSENT"}
    await _wipe()

    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    first = await _post(http, token, SYNC, batch("tablet-1", shuffled[:3]))
    await _post(http, token, SYNC, batch("tablet-1", shuffled[3:]))
    again = await _post(http, token, SYNC, batch("tablet-1", shuffled))

    assert {r["outcome"] for r in again["syncAttendance"]["results"]} == {"DUPLICATE"}
    assert len(first["syncAttendance"]["results"]) == 3
    assert await _roster(http, token, world) == in_order
    assert await AttendanceEvent.all().count() == len(entries)


async def test_a_batch_past_the_body_limit_is_refused_whole(
    http: httpx.AsyncClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    padded = [
        entry("SIGN_IN", world.kids[0], world.room, EIGHT, reason="x" * 5000) for _ in range(250)
    ]
    response = await http.post(
        "/graphql",
        json={"query": SYNC, "variables": batch("tablet-1", padded)},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert await AttendanceEvent.all().count() == 0
