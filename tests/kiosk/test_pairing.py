"""Pairing a tablet to a site, what a kiosk may reach, and revoking it."""

from __future__ import annotations

import time

import pytest

from auth import sessions
from models.access import AuthSession
from models.audit import AuditEntry
from models.kiosk import Kiosk
from models.org import ModuleAccess
from tests import factories as make
from tests.conftest import LiveServer
from tests.graphql import GraphQLClient
from tests.realtime.test_subscriptions import ROSTER, graphql
from tests.world import World
from tests.wsclient import SubscriptionError, WSClient

PAIR = """
mutation($i: PairKioskInput!) {
  pairKiosk(input: $i) { deviceToken kiosk { id name site { id } } errors { code field } }
}
"""
REVOKE = """
mutation($i: RevokeKioskInput!) {
  revokeKiosk(input: $i) { kiosk { id revokedAt } errors { code } }
}
"""


async def _pair(gql: GraphQLClient, token: str, site_id: object, name: str = "Front door") -> dict:
    result = await gql.execute(PAIR, {"i": {"siteId": str(site_id), "name": name}}, token=token)
    assert result.errors == [], result
    payload: dict = result.data["pairKiosk"]
    return payload


async def test_a_site_admin_pairs_a_tablet_and_gets_its_token_once(
    gql: GraphQLClient, world: World
) -> None:
    admin_role = await make.role(world.agency, site_admin=True)
    site_admin = await make.staff(world.agency, role=admin_role, sites=[world.site])
    payload = await _pair(gql, await make.token_for(site_admin), world.site.id)
    assert payload["errors"] == []
    assert payload["kiosk"]["name"] == "Front door"
    assert payload["kiosk"]["site"]["id"] == str(world.site.id)
    token = payload["deviceToken"]
    stored = await AuthSession.get(kind="KIOSK")
    assert token not in stored.token_hash
    me = await gql.execute(
        "{ viewer { ... on KioskViewer { name siteId } } kiosk { name site { name } } }",
        token=token,
    )
    assert me.data == {
        "viewer": {"name": "Front door", "siteId": str(world.site.id)},
        "kiosk": {"name": "Front door", "site": {"name": "Main Street"}},
    }
    assert await AuditEntry.filter(action="kiosk.pair", actor_id=str(site_admin.id)).count() == 1


async def test_staff_without_site_admin_cannot_pair(gql: GraphQLClient, world: World) -> None:
    result = await gql.execute(
        PAIR,
        {"i": {"siteId": str(world.site.id), "name": "x"}},
        token=await make.token_for(world.teacher),
    )
    assert result.codes == ["FORBIDDEN"]
    assert await Kiosk.all().count() == 0


async def test_no_one_pairs_a_tablet_to_a_site_they_do_not_run(
    gql: GraphQLClient, world: World
) -> None:
    admin_role = await make.role(world.agency, site_admin=True)
    site_admin = await make.staff(world.agency, role=admin_role, sites=[world.site])
    token = await make.token_for(site_admin)
    for site in (world.other_site, world.foreign_site):
        result = await gql.execute(PAIR, {"i": {"siteId": str(site.id), "name": "x"}}, token=token)
        assert result.codes == ["NOT_FOUND"]
    assert await Kiosk.all().count() == 0


async def test_a_blank_name_is_refused(gql: GraphQLClient, world: World) -> None:
    payload = await _pair(gql, await make.token_for(world.admin), world.site.id, name="   ")
    assert payload["errors"] == [{"code": "INVALID_NAME", "field": "name"}]
    assert payload["deviceToken"] is None


async def test_a_kiosk_reaches_nothing_but_its_own_pad(gql: GraphQLClient, world: World) -> None:
    device = (await _pair(gql, await make.token_for(world.admin), world.site.id))["deviceToken"]
    attempts = {
        "{ sites { name } }": {"sites": []},
        '{ classroom(id: "%s") { name } }' % world.room.id: None,
        '{ liveCounts(siteId: "%s") { enrolled } }' % world.site.id: None,
        '{ child(id: "%s") { firstName } }' % world.kids[0].id: None,
    }
    for query, data in attempts.items():
        result = await gql.execute(query, token=device)
        if data is not None:
            assert result.data == data
        else:
            assert result.codes == ["FORBIDDEN"], query
    sign_in = await gql.execute(
        "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }",
        {"i": {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}},
        token=device,
    )
    assert sign_in.codes == ["FORBIDDEN"]
    pair = await gql.execute(PAIR, {"i": {"siteId": str(world.site.id), "name": "x"}}, token=device)
    assert pair.codes == ["FORBIDDEN"]


async def test_staff_cannot_use_the_kiosk_root(gql: GraphQLClient, world: World) -> None:
    result = await gql.execute("{ kiosk { name } }", token=await make.token_for(world.admin))
    assert result.codes == ["FORBIDDEN"]


async def test_revoking_ends_the_device_token_at_once(gql: GraphQLClient, world: World) -> None:
    admin = await make.token_for(world.admin)
    paired = await _pair(gql, admin, world.site.id)
    kiosk_id = paired["kiosk"]["id"]
    revoked = await gql.execute(REVOKE, {"i": {"kioskId": kiosk_id}}, token=admin)
    assert revoked.data["revokeKiosk"]["errors"] == []
    assert revoked.data["revokeKiosk"]["kiosk"]["revokedAt"] is not None
    assert await sessions.resolve(paired["deviceToken"], gql.clock.now()) is None
    after = await gql.execute("{ kiosk { name } }", token=paired["deviceToken"])
    assert after.codes == ["UNAUTHENTICATED"]
    again = await gql.execute(REVOKE, {"i": {"kioskId": kiosk_id}}, token=admin)
    assert [e["code"] for e in again.data["revokeKiosk"]["errors"]] == ["ALREADY_REVOKED"]
    assert await AuditEntry.filter(action="kiosk.revoke").count() == 1


async def test_only_admins_of_the_kiosks_site_can_revoke_it(
    gql: GraphQLClient, world: World
) -> None:
    paired = await _pair(gql, await make.token_for(world.admin), world.site.id)
    other_admin_role = await make.role(world.agency, site_admin=True, attendance=ModuleAccess.EDIT)
    other_admin = await make.staff(world.agency, role=other_admin_role, sites=[world.other_site])
    for token in (
        await make.token_for(other_admin),
        await make.token_for(world.foreign_admin),
    ):
        result = await gql.execute(REVOKE, {"i": {"kioskId": paired["kiosk"]["id"]}}, token=token)
        assert result.codes == ["NOT_FOUND"]
    refused = await gql.execute(
        REVOKE, {"i": {"kioskId": paired["kiosk"]["id"]}}, token=await make.token_for(world.teacher)
    )
    assert refused.codes == ["FORBIDDEN"]
    assert await sessions.resolve(paired["deviceToken"], gql.clock.now()) is not None


async def test_a_revoked_kiosks_open_socket_closes_within_a_second(
    live: LiveServer, world: World
) -> None:
    admin = await make.token_for(world.admin)
    paired = await graphql(live, admin, PAIR, {"i": {"siteId": str(world.site.id), "name": "Door"}})
    device = paired["data"]["pairKiosk"]["deviceToken"]
    socket = await WSClient.connect(live.ws_url, device)
    # A kiosk may hold a socket, but not subscribe to staff views.
    sub = await socket.subscribe(ROSTER, {"room": str(world.room.id)})
    with pytest.raises(SubscriptionError) as refused:
        await socket.next(sub)
    assert refused.value.codes == ["FORBIDDEN"]

    started = time.monotonic()
    kiosk_id = paired["data"]["pairKiosk"]["kiosk"]["id"]
    revoked = await graphql(live, admin, REVOKE, {"i": {"kioskId": kiosk_id}})
    assert revoked["data"]["revokeKiosk"]["errors"] == []
    _, code = await socket.drain_until_closed(within=1.0)
    assert code == 4403
    assert time.monotonic() - started < 1.0
