"""A staff member changes their own PIN: the old one first, a new one of the agency's length."""

from __future__ import annotations

from models.audit import AuditEntry
from server.settings import Settings
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.staff.helpers import CHANGE_OWN_PIN, VIEWER, payload
from tests.world import OTHER_TEACHER_PIN, TEACHER_PIN, World


async def _change(gql: GraphQLClient, token: str, current: str, new: str) -> list[tuple[str, str]]:
    result = await gql.execute(
        CHANGE_OWN_PIN, {"i": {"currentPin": current, "newPin": new}}, token=token
    )
    return [(e["code"], e["field"]) for e in payload(result, "changeOwnPin")["errors"]]


async def test_change_own_pin(gql: GraphQLClient, world: World) -> None:
    teacher = await make.token_for(world.teacher)
    assert await _change(gql, teacher, TEACHER_PIN, "739154") == []
    assert payload(await gql.execute(VIEWER, token=teacher), "viewer")["pin"] == "739154"
    entry = await AuditEntry.get(action="staff.change_own_pin")
    assert "739154" not in str(entry.data)
    assert TEACHER_PIN not in str(entry.data)


async def test_the_current_pin_must_be_your_own(gql: GraphQLClient, world: World) -> None:
    teacher = await make.token_for(world.teacher)
    # A colleague's PIN is not yours.
    assert await _change(gql, teacher, OTHER_TEACHER_PIN, "739154") == [("WRONG_PIN", "currentPin")]
    assert payload(await gql.execute(VIEWER, token=teacher), "viewer")["pin"] == TEACHER_PIN


async def test_the_new_pin_is_checked(gql: GraphQLClient, world: World) -> None:
    teacher = await make.token_for(world.teacher)
    assert await _change(gql, teacher, TEACHER_PIN, "1234") == [("INVALID_PIN", "newPin")]
    assert await _change(gql, teacher, TEACHER_PIN, "123456") == [("TRIVIAL_PIN", "newPin")]
    assert await _change(gql, teacher, TEACHER_PIN, OTHER_TEACHER_PIN) == [("PIN_TAKEN", "newPin")]
    assert payload(await gql.execute(VIEWER, token=teacher), "viewer")["pin"] == TEACHER_PIN
    assert not await AuditEntry.exists(action="staff.change_own_pin")


async def test_probing_which_pins_are_taken_is_throttled(
    gql: GraphQLClient, world: World, settings: Settings
) -> None:
    """PIN_TAKEN says someone in the agency holds that PIN: each such answer costs a try."""
    teacher = await make.token_for(world.teacher)
    for _ in range(settings.login_account_max_failures):
        assert await _change(gql, teacher, TEACHER_PIN, OTHER_TEACHER_PIN) == [
            ("PIN_TAKEN", "newPin")
        ]
    assert await _change(gql, teacher, TEACHER_PIN, "739154") == [("TOO_MANY_ATTEMPTS", None)]
    assert payload(await gql.execute(VIEWER, token=teacher), "viewer")["pin"] == TEACHER_PIN


async def test_a_successful_change_is_not_counted(
    gql: GraphQLClient, world: World, settings: Settings
) -> None:
    teacher = await make.token_for(world.teacher)
    current = TEACHER_PIN
    for n in range(settings.login_account_max_failures + 2):
        new = f"{739154 + n * 7919}"
        assert await _change(gql, teacher, current, new) == []
        current = new


async def test_only_staff_change_their_pin(gql: GraphQLClient, world: World) -> None:
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    variables = {"i": {"currentPin": TEACHER_PIN, "newPin": "739154"}}
    assert (await gql.execute(CHANGE_OWN_PIN, variables, token=kiosk)).codes == ["FORBIDDEN"]
    assert (await gql.execute(CHANGE_OWN_PIN, variables)).codes == ["UNAUTHENTICATED"]
