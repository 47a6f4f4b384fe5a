"""Unlinking a guardian: back to INVITE, the PIN kept, the parent's access and sockets ended."""

from __future__ import annotations

import time

import pytest

from auth import sessions
from auth.principals import is_parent
from models.audit import AuditEntry
from models.family_accounts import GuardianLink, Invitation
from models.org import ModuleAccess, StaffUser
from models.pins import PinCredential
from services import pins as pin_service
from tests import factories as make
from tests.conftest import TEST_KEYRING, LiveServer
from tests.family.helpers import (
    CHILDREN,
    UNLINK,
    Household,
    data,
    household,
    invite,
    register,
    sent_code,
)
from tests.graphql import GraphQLClient
from tests.realtime.test_subscriptions import graphql
from tests.world import World
from tests.wsclient import WSClient


@pytest.fixture
async def home(world: World) -> Household:
    return await household(world)


@pytest.fixture
async def editor(world: World) -> StaffUser:
    editing = await make.role(world.agency, students=ModuleAccess.EDIT)
    return await make.staff(world.agency, role=editing, sites=[world.site])


async def _registered(gql: GraphQLClient, staff_token: str, home: Household) -> str:
    await invite(gql, staff_token, home.guardian_a.id)
    payload = await register(gql, await sent_code(home.guardian_a), "maria@example.test")
    token: str = payload["token"]
    return token


async def test_unlinking_returns_the_guardian_to_invite_and_keeps_the_pin(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    staff = await make.token_for(editor)
    parent = await _registered(gql, staff, home)
    seen = await gql.execute(CHILDREN, token=parent)
    assert [c["firstName"] for c in data(seen)["viewer"]["children"]] == ["Ava"]

    result = await gql.execute(UNLINK, {"i": {"guardianId": str(home.guardian_a.id)}}, token=staff)
    assert data(result)["unlinkGuardian"] == {
        "guardian": {
            "id": str(home.guardian_a.id),
            "onlineAccount": {"state": "INVITE", "login": None},
        },
        "errors": [],
    }
    credential = await PinCredential.get(adult_id=home.guardian_a.id)
    assert pin_service.reveal(TEST_KEYRING, credential) == home.pin_a
    assert await GuardianLink.filter(adult_id=home.guardian_a.id).count() == 0
    assert await Invitation.filter(adult_id=home.guardian_a.id, revoked_at=None).count() == 0
    assert await AuditEntry.filter(action="family.unlink").count() == 1

    # The same token now reaches nothing of this family.
    principal = await sessions.resolve(parent, gql.clock.now())
    assert principal is not None
    assert is_parent(principal)
    assert principal.adult_ids == frozenset()
    after = await gql.execute(CHILDREN, token=parent)
    assert data(after)["viewer"]["children"] == []

    again = await gql.execute(UNLINK, {"i": {"guardianId": str(home.guardian_a.id)}}, token=staff)
    assert data(again)["unlinkGuardian"]["errors"] == [{"code": "NOT_LINKED"}]
    # Invited again (later: the outbox's newest message is the new code), the guardian
    # registers anew.
    gql.clock.advance(minutes=1)
    await invite(gql, staff, home.guardian_a.id)
    rejoined = await register(gql, await sent_code(home.guardian_a), "maria@example.test")
    assert rejoined["errors"] == []


async def test_unlinking_keeps_the_accounts_other_guardians(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    from tests.family.helpers import account_for, parent_token

    ben_guardian, _ = await make.adult_with_pin(
        await world.kids[1].family, slot=home.guardian_a.guardian_slot
    )
    account = await account_for(home.guardian_a, ben_guardian)
    token = await parent_token(account)
    staff = await make.token_for(editor)
    await gql.execute(UNLINK, {"i": {"guardianId": str(home.guardian_a.id)}}, token=staff)
    left = await gql.execute(CHILDREN, token=token)
    assert [c["firstName"] for c in data(left)["viewer"]["children"]] == ["Ben"]


async def test_only_staff_of_the_guardians_sites_with_students_edit_may_unlink(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    staff = await make.token_for(editor)
    parent = await _registered(gql, staff, home)
    variables = {"i": {"guardianId": str(home.guardian_a.id)}}
    editing = await make.role(world.agency, students=ModuleAccess.EDIT)
    elsewhere = await make.staff(world.agency, role=editing, sites=[world.other_site])
    for token in (await make.token_for(elsewhere), await make.token_for(world.foreign_admin)):
        assert (await gql.execute(UNLINK, variables, token=token)).codes == ["NOT_FOUND"]
    for token in (await make.token_for(world.students_viewer), parent):
        assert (await gql.execute(UNLINK, variables, token=token)).codes == ["FORBIDDEN"]
    assert await GuardianLink.filter(adult_id=home.guardian_a.id).count() == 1


async def test_unlinking_closes_the_parents_open_sockets_within_a_second(
    gql: GraphQLClient, live: LiveServer, world: World, home: Household, editor: StaffUser
) -> None:
    staff = await make.token_for(editor)
    parent = await _registered(gql, staff, home)
    socket = await WSClient.connect(live.ws_url, parent)

    started = time.monotonic()
    result = await graphql(live, staff, UNLINK, {"i": {"guardianId": str(home.guardian_a.id)}})
    assert result["data"]["unlinkGuardian"]["errors"] == []
    _, code = await socket.drain_until_closed(within=1.0)
    assert code == 4403
    assert time.monotonic() - started < 1.0
    # The token itself still works: the parent reconnects with what is left.
    again = await WSClient.connect(live.ws_url, parent)
    await again.close()


async def test_a_parent_may_open_a_socket_and_logging_out_closes_it(
    gql: GraphQLClient, live: LiveServer, world: World, home: Household, editor: StaffUser
) -> None:
    parent = await _registered(gql, await make.token_for(editor), home)
    socket = await WSClient.connect(live.ws_url, parent)
    out = await graphql(live, parent, "mutation { logout { ok } }", {})
    assert out["data"] == {"logout": {"ok": True}}
    _, code = await socket.drain_until_closed(within=1.0)
    assert code == 4403
    assert await sessions.resolve(parent, gql.clock.now()) is None
