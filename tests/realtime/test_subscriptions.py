"""Live rosters and counts over real sockets, and the rules that guard them."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest

from auth import sessions
from models.org import ModuleAccess
from realtime import channels
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import LiveServer
from tests.world import World
from tests.wsclient import SubscriptionError, WSClient

ROSTER = """
subscription($room: ID!) {
  rosterChanged(classroomId: $room) {
    child { id firstName } status signedInAt events { kind actor source }
  }
}
"""
COUNTS = """
subscription($site: ID!, $room: ID) {
  liveCounts(siteId: $site, classroomId: $room) { enrolled signedIn signedOut absent incomplete }
}
"""
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"


async def graphql(live: LiveServer, token: str, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            live.http_url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    return response.json()


async def sign(live: LiveServer, token: str, world: World, kids: list, out: bool = False) -> None:
    variables = {"i": {"childIds": [str(k.id) for k in kids], "classroomId": str(world.room.id)}}
    result = await graphql(live, token, SIGN_OUT if out else SIGN_IN, variables)
    assert result["data"]["signOut" if out else "signIn"]["errors"] == [], result


async def closed_code(client: WSClient, within: float) -> int | None:
    return (await client.drain_until_closed(within))[1]


async def test_roster_updates_arrive_as_children_are_signed_in(
    live: LiveServer, world: World
) -> None:
    teacher = await make.token_for(world.teacher)
    viewer = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    sub = await viewer.subscribe(ROSTER, {"room": str(world.room.id)})
    await live.subscribed(channels.classroom_roster(world.room.id))

    await sign(live, teacher, world, world.kids[:2])

    rows = [(await viewer.next(sub))["rosterChanged"] for _ in range(2)]
    assert {r["child"]["firstName"] for r in rows} == {"Ava", "Ben"}
    assert all(r["status"] == "SIGNED_IN" for r in rows)
    assert rows[0]["events"] == [
        {"kind": "SIGN_IN", "actor": world.teacher.display_name, "source": "STAFF_ENTRY"}
    ]
    await viewer.close()


async def test_live_counts_start_with_the_current_counts_then_follow(
    live: LiveServer, world: World
) -> None:
    teacher = await make.token_for(world.teacher)
    await sign(live, teacher, world, world.kids[:1])
    client = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    sub = await client.subscribe(COUNTS, {"site": str(world.site.id)})
    first = (await client.next(sub))["liveCounts"]
    assert first == {"enrolled": 3, "signedIn": 1, "signedOut": 0, "absent": 0, "incomplete": 3}

    await sign(live, teacher, world, world.kids[:1], out=True)
    second = (await client.next(sub))["liveCounts"]
    assert second == {"enrolled": 3, "signedIn": 0, "signedOut": 1, "absent": 0, "incomplete": 2}
    await client.close()


async def test_a_role_without_attendance_cannot_subscribe(live: LiveServer, world: World) -> None:
    client = await WSClient.connect(live.ws_url, await make.token_for(world.students_viewer))
    sub = await client.subscribe(ROSTER, {"room": str(world.room.id)})
    with pytest.raises(SubscriptionError) as refused:
        await client.next(sub)
    assert refused.value.codes == ["FORBIDDEN"]
    await client.close()


async def test_staff_cannot_subscribe_to_other_sites_or_agencies(
    live: LiveServer, world: World
) -> None:
    client = await WSClient.connect(live.ws_url, await make.token_for(world.teacher))
    for variables in (
        {"room": str(world.other_room.id)},
        {"room": str(world.foreign_room.id)},
    ):
        sub = await client.subscribe(ROSTER, variables)
        with pytest.raises(SubscriptionError) as refused:
            await client.next(sub)
        assert refused.value.codes == ["NOT_FOUND"]
    counts = await client.subscribe(COUNTS, {"site": str(world.foreign_site.id)})
    with pytest.raises(SubscriptionError) as refused:
        await client.next(counts)
    assert refused.value.codes == ["NOT_FOUND"]
    await client.close()


async def test_no_event_of_another_classroom_reaches_a_subscriber(
    live: LiveServer, world: World
) -> None:
    foreign_admin = await make.token_for(world.foreign_admin)
    client = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    sub = await client.subscribe(ROSTER, {"room": str(world.room.id)})
    await live.subscribed(channels.classroom_roster(world.room.id))
    result = await graphql(
        live,
        foreign_admin,
        SIGN_IN,
        {"i": {"childIds": [str(world.foreign_kid.id)], "classroomId": str(world.foreign_room.id)}},
    )
    assert result["data"]["signIn"]["errors"] == []
    with pytest.raises(TimeoutError):
        await client.next(sub, timeout=0.5)
    await client.close()


async def test_logout_closes_the_socket_within_a_second(live: LiveServer, world: World) -> None:
    token = await make.token_for(world.viewer)
    client = await WSClient.connect(live.ws_url, token)
    await client.subscribe(ROSTER, {"room": str(world.room.id)})
    # The socket's guard listens on the viewer's access channel: logout is announced there.
    await live.subscribed(channels.access(world.viewer.id))
    started = time.monotonic()
    result = await graphql(live, token, "mutation { logout { ok } }", {})
    assert result["data"]["logout"]["ok"] is True
    assert await closed_code(client, within=1.0) == 4403
    assert time.monotonic() - started < 1.0


async def test_a_role_change_closes_the_socket_within_a_second(
    live: LiveServer, world: World
) -> None:
    client = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    await client.subscribe(ROSTER, {"room": str(world.room.id)})
    await live.subscribed(channels.access(world.viewer.id))
    demoted = await make.role(world.agency, students=ModuleAccess.VIEW)
    admin = await make.token_for(world.admin)
    result = await graphql(
        live,
        admin,
        "mutation($i: AssignStaffRoleInput!) { assignStaffRole(input: $i) { ok } }",
        {"i": {"staffId": str(world.viewer.id), "roleId": str(demoted.id)}},
    )
    assert result["data"]["assignStaffRole"]["ok"] is True
    assert await closed_code(client, within=1.0) == 4403


async def test_only_an_agency_admin_changes_roles(live: LiveServer, world: World) -> None:
    teacher = await make.token_for(world.teacher)
    demoted = await make.role(world.agency)
    result = await graphql(
        live,
        teacher,
        "mutation($i: AssignStaffRoleInput!) { assignStaffRole(input: $i) { ok } }",
        {"i": {"staffId": str(world.viewer.id), "roleId": str(demoted.id)}},
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_socket_closes_when_its_token_expires(
    live: LiveServer, world: World, clock: FrozenClock
) -> None:
    # The guard reads the server's clock once and then waits in real time.
    token = await sessions.issue_staff_session(
        world.viewer, timedelta(seconds=1), "127.0.0.1", clock.now()
    )
    client = await WSClient.connect(live.ws_url, token)
    await client.subscribe(ROSTER, {"room": str(world.room.id)})
    assert await closed_code(client, within=2.0) == 4403


async def test_at_most_twenty_subscriptions_per_socket(live: LiveServer, world: World) -> None:
    client = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    for _ in range(20):
        await client.subscribe(ROSTER, {"room": str(world.room.id)})
    extra = await client.subscribe(ROSTER, {"room": str(world.room.id)})
    with pytest.raises(SubscriptionError) as refused:
        await client.next(extra)
    assert refused.value.errors[0]["message"] == "Subscription limit reached"
    await client.close()
