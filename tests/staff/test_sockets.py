"""Access changes close the staff member's open sockets, as assignStaffRole does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from realtime import channels
from tests import factories as make
from tests.conftest import LiveServer
from tests.realtime.test_subscriptions import ROSTER, closed_code, sign
from tests.staff.helpers import DEACTIVATE, UPDATE_ACCESS
from tests.waiting import eventually
from tests.world import World
from tests.wsclient import WSClient


async def _post(live: LiveServer, token: str, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            live.http_url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    return response.json()


@pytest.mark.parametrize("change", ["updateStaffAccess", "deactivateStaff"])
async def test_an_access_change_closes_the_socket(
    live: LiveServer, world: World, change: str
) -> None:
    client = await WSClient.connect(live.ws_url, await make.token_for(world.viewer))
    await client.subscribe(ROSTER, {"room": str(world.room.id)})
    await live.subscribed(channels.access(world.viewer.id))
    admin = await make.token_for(world.admin)
    if change == "updateStaffAccess":
        role = await make.role(world.agency)
        variables = {"staffId": str(world.viewer.id), "roleId": str(role.id), "siteIds": []}
        result = await _post(live, admin, UPDATE_ACCESS, {"i": variables})
    else:
        result = await _post(live, admin, DEACTIVATE, {"i": {"staffId": str(world.viewer.id)}})
    assert result["data"][change]["errors"] == [], result
    assert await closed_code(client, within=1.0) == 4403


async def test_one_listener_watches_all_of_a_persons_sockets_and_ends_only_the_right_ones(
    live: LiveServer, world: World
) -> None:
    """Three sockets of the viewer (two sessions) share one access listener; logging one
    session out closes its sockets only, and the listener goes on for the other."""
    kept, ended = await make.token_for(world.viewer), await make.token_for(world.viewer)
    clients, rosters = {}, {}
    for name, token in (("kept", kept), ("ended", ended), ("ended too", ended)):
        clients[name] = await WSClient.connect(live.ws_url, token)
        rosters[name] = await clients[name].subscribe(ROSTER, {"room": str(world.room.id)})
    channel = channels.access(world.viewer.id)
    await live.subscribed(channel)
    assert live.app.state.bus.subscriber_count(channel) == 1

    result = await _post(live, ended, "mutation { logout { ok } }", {})
    assert result["data"]["logout"]["ok"] is True
    assert await closed_code(clients["ended"], within=1.0) == 4403
    assert await closed_code(clients["ended too"], within=1.0) == 4403

    # The kept socket still hears its classroom, and still hears its own logout.
    await sign(live, await make.token_for(world.teacher), world, world.kids[:1])
    row = (await clients["kept"].next(rosters["kept"]))["rosterChanged"]
    assert row["child"]["id"] == str(world.kids[0].id)
    result = await _post(live, kept, "mutation { logout { ok } }", {})
    assert result["data"]["logout"]["ok"] is True
    assert await closed_code(clients["kept"], within=1.0) == 4403
    await eventually(lambda: live.app.state.bus.subscriber_count(channel) == 0)
