"""The end of day seen from outside: over HTTP and over live sockets."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobs.day_close import DayCloser
from realtime import channels
from server import cli
from server.settings import Settings
from tests import factories as make
from tests.attendance.day_close_helpers import ROSTER, SIGN_IN, auto_events, local, sign
from tests.clock import FrozenClock
from tests.conftest import TEST_SECRET, LiveServer
from tests.graphql import GraphQLClient
from tests.waiting import until
from tests.world import World
from tests.wsclient import WSClient

CHICAGO = "America/Chicago"
DAY = date(2026, 3, 4)
LIVE_ROSTER = """
subscription($room: ID!) {
  rosterChanged(classroomId: $room) {
    child { firstName } status signedOutAt autoCheckedOut events { kind source actorKind }
  }
}
"""
COUNTS = """
subscription($site: ID!) { liveCounts(siteId: $site) { signedIn signedOut incomplete } }
"""


async def _post(client: httpx.AsyncClient, token: str, query: str, variables: Any) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_over_http_yesterdays_forgotten_child_is_signed_in_today(
    http: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    ava = world.kids[0]
    sign_ava = {"i": {"childIds": [str(ava.id)], "classroomId": str(world.room.id)}}
    clock.set(local(CHICAGO, DAY, 9, 0))
    data = await _post(http, await make.token_for(world.teacher), SIGN_IN, sign_ava)
    assert data["signIn"]["errors"] == []

    clock.set(local(CHICAGO, DAY + timedelta(days=1), 7, 50))
    teacher = await make.token_for(world.teacher)
    data = await _post(http, teacher, SIGN_IN, sign_ava)
    assert data["signIn"]["errors"] == []

    roster = {"id": str(world.room.id), "on": DAY.isoformat()}
    [row] = [
        r
        for r in (await _post(http, teacher, ROSTER, roster))["classroom"]["roster"]
        if r["child"]["firstName"] == "Ava"
    ]
    assert row["status"] == "SIGNED_OUT"
    assert row["autoCheckedOut"] is True
    assert row["signedOutAt"] == local(CHICAGO, DAY, 23, 59).isoformat()
    assert [(e["kind"], e["source"], e["actorKind"]) for e in row["events"]] == [
        ("SIGN_IN", "STAFF_ENTRY", "STAFF"),
        ("SIGN_OUT", "AUTO_CHECKOUT", "SYSTEM"),
    ]
    today = {"id": str(world.room.id), "on": (DAY + timedelta(days=1)).isoformat()}
    statuses = {
        r["child"]["firstName"]: r["status"]
        for r in (await _post(http, teacher, ROSTER, today))["classroom"]["roster"]
    }
    assert statuses["Ava"] == "SIGNED_IN"


async def test_live_rosters_and_counts_hear_of_each_automatic_check_out_once(
    live: LiveServer, world: World, clock: FrozenClock
) -> None:
    clock.set(local(CHICAGO, DAY, 9, 0))
    async with httpx.AsyncClient(base_url=live.http_url.removesuffix("/graphql")) as client:
        variables = {
            "i": {
                "childIds": [str(k.id) for k in world.kids[:2]],
                "classroomId": str(world.room.id),
            }
        }
        data = await _post(client, await make.token_for(world.teacher), SIGN_IN, variables)
        assert data["signIn"]["errors"] == []
    clock.set(local(CHICAGO, DAY, 23, 59))
    viewer = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    room = await viewer.subscribe(LIVE_ROSTER, {"room": str(world.room.id)})
    counts = await viewer.subscribe(COUNTS, {"site": str(world.site.id)})
    first = (await viewer.next(counts))["liveCounts"]
    assert (first["signedIn"], first["signedOut"]) == (2, 0)
    await live.subscribed(
        channels.classroom_roster(world.room.id), channels.site_counts(world.site.id)
    )

    closed = await DayCloser(clock=clock, bus=live.app.state.bus).run_once()
    assert len(closed) == 2

    rows = [(await viewer.next(room))["rosterChanged"] for _ in range(2)]
    assert {r["child"]["firstName"] for r in rows} == {"Ava", "Ben"}
    assert all(r["status"] == "SIGNED_OUT" and r["autoCheckedOut"] for r in rows)
    assert all(
        r["events"] == [{"kind": "SIGN_OUT", "source": "AUTO_CHECKOUT", "actorKind": "SYSTEM"}]
        for r in rows
    )
    seen = [(await viewer.next(counts))["liveCounts"] for _ in range(2)]
    assert (seen[-1]["signedIn"], seen[-1]["signedOut"]) == (0, 2)
    await viewer.close()


async def test_playroll_worker_once_closes_the_days_that_ended(
    gql: GraphQLClient,
    world: World,
    clock: FrozenClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock.set(local(CHICAGO, DAY, 9, 0))
    await sign(gql, world.teacher, world.room, world.kids[:1])
    # The CLI runs on the machine's clock: DAY ended long before it, whatever it says.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PLAYROLL_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("PLAYROLL_DEBUG", "1")
    assert await asyncio.to_thread(cli.main, ["worker", "--once"]) == 0
    assert "signed out at the end of the day: 1" in capsys.readouterr().out
    [event] = await auto_events()
    assert event.occurred_at == local(CHICAGO, DAY, 23, 59)


async def test_serve_closes_the_day_in_process_on_the_embedded_default(
    gql: GraphQLClient, world: World, clock: FrozenClock, settings: Settings
) -> None:
    from server.app import create_app

    clock.set(local(CHICAGO, DAY, 9, 0))
    await sign(gql, world.teacher, world.room, world.kids[:1])
    clock.set(local(CHICAGO, DAY, 23, 59))
    in_process = settings.model_copy(update={"jobs_in_process": True, "worker_poll_seconds": 0.05})
    app = create_app(in_process, clock=clock, manage_database=False)
    async with app.router.lifespan_context(app):
        await until(auto_events)
    [event] = await auto_events()
    assert event.occurred_at == clock.now()
