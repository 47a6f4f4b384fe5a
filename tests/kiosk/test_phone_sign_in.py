"""Parents sign their children in and out from their own phone, only with the door's code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.attendance import AttendanceEvent
from models.org import ContactlessMode, Site
from models.people import SharedPickup
from services import contactless
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.family.helpers import Household, account_for, household, parent_token
from tests.graphql import GraphQLClient
from tests.world import World

SECRET = TEST_KEYRING
SIGN_IN = """
mutation($i: SignInInput!) {
  signIn(input: $i) { entries { child { id } status } errors { code field } }
}
"""
SIGN_OUT = """
mutation($i: SignOutInput!) {
  signOut(input: $i) { entries { child { id } status } errors { code field } }
}
"""
# Mid-morning in Chicago, where the world's main site is.
MORNING = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(clock: FrozenClock) -> FrozenClock:
    clock.set(MORNING)
    return clock


async def _code(site_id: object, at: datetime = MORNING) -> str:
    code = contactless.current(SECRET, await Site.get(id=site_id), at)
    assert code is not None
    return code.token


def _input(kids: list[Any], room: object, token: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "childIds": [str(k.id) for k in kids],
            "classroomId": str(room),
            "contactlessToken": token,
            **extra,
        }
    }


async def _signed(
    gql: GraphQLClient, token: str, variables: dict[str, Any], *, out: bool = False
) -> dict[str, Any]:
    result = await gql.execute(SIGN_OUT if out else SIGN_IN, variables, token=token)
    assert result.errors == [], result
    payload: dict[str, Any] = result.data["signOut" if out else "signIn"]  # type: ignore[index]
    return payload


@pytest.fixture
async def home(world: World) -> Household:
    return await household(world)


async def test_a_parent_signs_their_child_in_and_out_with_the_code_at_the_door(
    gql: GraphQLClient, world: World, home: Household, clock: FrozenClock
) -> None:
    token = await parent_token(await account_for(home.guardian_a))
    ava = world.kids[0]
    signed_in = await _signed(gql, token, _input([ava], world.room.id, await _code(world.site.id)))
    assert signed_in["errors"] == []
    assert signed_in["entries"] == [{"child": {"id": str(ava.id)}, "status": "SIGNED_IN"}]
    event = await AttendanceEvent.get(child_id=ava.id)
    assert event.source == "CONTACTLESS_QR"
    assert event.auth_method == "QR_ACCOUNT"
    assert event.actor_kind == "GUARDIAN"
    assert event.actor_adult_id == home.guardian_a.id
    assert event.occurred_at == MORNING
    assert event.device.startswith("family-session:")

    clock.set(MORNING + timedelta(hours=8))
    later_code = await _code(world.site.id, clock.now())
    signed_out = await _signed(gql, token, _input([ava], world.room.id, later_code), out=True)
    assert signed_out["entries"][0]["status"] == "SIGNED_OUT"


async def test_without_a_valid_code_of_that_site_nothing_is_recorded(
    gql: GraphQLClient, world: World, home: Household, clock: FrozenClock
) -> None:
    token = await parent_token(await account_for(home.guardian_a))
    ava = world.kids[0]
    yesterday = await _code(world.site.id, MORNING - timedelta(days=1))
    other_site = await _code(world.other_site.id)
    for code in (None, "", "pr1.not.a.code", yesterday, other_site):
        result = await _signed(gql, token, _input([ava], world.room.id, code))
        assert [e["code"] for e in result["errors"]] == ["INVALID_CONTACTLESS_CODE"], code
    await Site.filter(id=world.site.id).update(contactless_enabled=False)
    off = await _signed(gql, token, _input([ava], world.room.id, await _code(world.other_site.id)))
    assert [e["code"] for e in off["errors"]] == ["CONTACTLESS_OFF"]
    assert await AttendanceEvent.all().count() == 0


async def test_a_static_code_keeps_working_across_days(
    gql: GraphQLClient, world: World, home: Household, clock: FrozenClock
) -> None:
    await Site.filter(id=world.site.id).update(contactless_mode=ContactlessMode.STATIC)
    printed = await _code(world.site.id, MORNING - timedelta(days=30))
    token = await parent_token(await account_for(home.guardian_a))
    result = await _signed(gql, token, _input([world.kids[0]], world.room.id, printed))
    assert result["errors"] == []


async def test_parents_sign_only_their_own_children_or_those_they_may_pick_up(
    gql: GraphQLClient, world: World, home: Household, clock: FrozenClock
) -> None:
    token = await parent_token(await account_for(home.guardian_a))
    code = await _code(world.site.id)
    neighbour = world.kids[1]
    refused = await _signed(gql, token, _input([world.kids[0], neighbour], world.room.id, code))
    assert [e["code"] for e in refused["errors"]] == ["NOT_ENROLLED"]
    assert await AttendanceEvent.all().count() == 0

    await SharedPickup.create(adult=home.guardian_a, family_id=neighbour.family_id)
    allowed = await _signed(gql, token, _input([neighbour], world.room.id, code))
    assert allowed["errors"] == []


async def test_parents_cannot_backdate_or_use_staff_pins_or_other_agencies(
    gql: GraphQLClient, world: World, home: Household, clock: FrozenClock
) -> None:
    token = await parent_token(await account_for(home.guardian_a))
    code = await _code(world.site.id)
    ava = world.kids[0]
    backdated = await gql.execute(
        SIGN_IN, _input([ava], world.room.id, code, at="2026-11-23T07:00:00-06:00"), token=token
    )
    assert backdated.codes == ["BAD_USER_INPUT"]
    with_pin = await gql.execute(
        SIGN_IN, _input([ava], world.room.id, code, operatorPin="482917"), token=token
    )
    assert with_pin.codes == ["BAD_USER_INPUT"]
    foreign = await gql.execute(
        SIGN_IN, _input([world.foreign_kid], world.foreign_room.id, code), token=token
    )
    assert foreign.codes == ["NOT_FOUND"]
    assert await AttendanceEvent.all().count() == 0


async def test_kiosks_and_view_only_staff_still_cannot_sign_children(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    _, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    code = await _code(world.site.id)
    variables = _input([world.kids[0]], world.room.id, code)
    for token in (kiosk_token, await make.token_for(world.viewer)):
        result = await gql.execute(SIGN_IN, variables, token=token)
        assert result.codes == ["FORBIDDEN"]
    anonymous = await gql.execute(SIGN_IN, variables)
    assert anonymous.codes == ["UNAUTHENTICATED"]
