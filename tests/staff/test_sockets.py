"""Access changes close the staff member's open sockets, as assignStaffRole does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from realtime import channels
from tests import factories as make
from tests.conftest import LiveServer
from tests.realtime.test_subscriptions import ROSTER, closed_code
from tests.staff.helpers import DEACTIVATE, UPDATE_ACCESS
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
