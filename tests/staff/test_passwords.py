"""Set-password links: single use, expiring, superseded; resets like the families'."""

from __future__ import annotations

from datetime import timedelta

from models.access import StaffPasswordToken
from models.audit import AuditEntry
from models.notifications import Notification
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.staff.helpers import (
    REQUEST_RESET,
    SEND_INVITATION,
    SET_PASSWORD,
    VIEWER,
    latest_token,
    links_sent,
    login,
    payload,
    set_password,
)
from tests.world import World


async def _invite(gql: GraphQLClient, world: World) -> str:
    admin = await make.token_for(world.admin)
    await gql.execute(SEND_INVITATION, {"i": {"staffId": str(world.viewer.id)}}, token=admin)
    return await latest_token(world.viewer.email)


def _codes(result: object) -> list[str]:
    return [e["code"] for e in payload(result, "setStaffPassword")["errors"]]  # type: ignore[arg-type]


async def test_a_link_works_once_and_signs_in(gql: GraphQLClient, world: World) -> None:
    token = await _invite(gql, world)
    # Only a keyed hash is stored.
    assert not await StaffPasswordToken.exists(token_hash=token)
    old_session = await make.token_for(world.viewer)
    first = payload(await set_password(gql, token), "setStaffPassword")
    assert first["errors"] == []
    assert payload(await gql.execute(VIEWER, token=first["token"]), "viewer")["id"] == str(
        world.viewer.id
    )
    # Every earlier session ends with the new password.
    assert (await gql.execute(VIEWER, token=old_session)).data == {"viewer": None}
    assert await login(gql, world.viewer.email) is not None
    assert _codes(await set_password(gql, token, "another long passphrase")) == ["INVALID_TOKEN"]
    assert await login(gql, world.viewer.email, "another long passphrase") is None
    entry = await AuditEntry.get(action="staff.password_set")
    assert entry.data == {"link": "INVITATION"}


async def test_an_expired_or_unknown_link_is_refused(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    token = await _invite(gql, world)
    assert _codes(await set_password(gql, "no-such-token")) == ["INVALID_TOKEN"]
    assert _codes(await set_password(gql, "x" * 5000)) == ["INVALID_TOKEN"]
    clock.advance(timedelta(days=7, seconds=1))
    assert _codes(await set_password(gql, token)) == ["INVALID_TOKEN"]
    assert await login(gql, world.viewer.email) is None


async def test_a_short_password_is_refused_and_the_link_still_works(
    gql: GraphQLClient, world: World
) -> None:
    token = await _invite(gql, world)
    result = payload(await set_password(gql, token, "short"), "setStaffPassword")
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_PASSWORD", "password")]
    assert payload(await set_password(gql, token), "setStaffPassword")["token"]


async def test_a_reset_answers_the_same_whether_the_account_exists(
    gql: GraphQLClient, world: World
) -> None:
    known = await gql.execute(REQUEST_RESET, {"i": {"email": world.viewer.email.upper()}})
    unknown = await gql.execute(REQUEST_RESET, {"i": {"email": "nobody@example.org"}})
    assert known.data == unknown.data == {"requestStaffPasswordReset": {"ok": True, "errors": []}}
    assert await Notification.filter(destination="nobody@example.org").count() == 0
    links = await links_sent(world.viewer.email, "staff_password_reset")
    assert len(links) == 1
    token = await latest_token(world.viewer.email, "staff_password_reset")
    assert payload(await set_password(gql, token), "setStaffPassword")["token"]
    assert await login(gql, world.viewer.email) is not None


async def test_a_reset_link_expires_within_the_hour(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await gql.execute(REQUEST_RESET, {"i": {"email": world.viewer.email}})
    token = await latest_token(world.viewer.email, "staff_password_reset")
    clock.advance(minutes=61)
    assert _codes(await set_password(gql, token)) == ["INVALID_TOKEN"]


async def test_reset_requests_are_throttled_per_email_known_or_not(
    gql: GraphQLClient, world: World
) -> None:
    for email in (world.viewer.email, "nobody@example.org"):
        answers = [
            await gql.execute(REQUEST_RESET, {"i": {"email": email}}, ip=f"10.0.0.{n}")
            for n in range(4)
        ]
        assert [a.data["requestStaffPasswordReset"]["ok"] for a in answers] == [  # type: ignore[index]
            True,
            True,
            True,
            False,
        ]
        assert answers[-1].data == {
            "requestStaffPasswordReset": {"ok": False, "errors": [{"code": "TOO_MANY_ATTEMPTS"}]}
        }
    assert len(await links_sent(world.viewer.email, "staff_password_reset")) == 3


async def test_a_deactivated_staff_member_gets_no_reset(gql: GraphQLClient, world: World) -> None:
    world.viewer.is_active = False
    await world.viewer.save(update_fields=["is_active"])
    result = await gql.execute(REQUEST_RESET, {"i": {"email": world.viewer.email}})
    assert result.data == {"requestStaffPasswordReset": {"ok": True, "errors": []}}
    assert await links_sent(world.viewer.email, "staff_password_reset") == []


async def test_set_password_must_be_alone_in_its_operation(gql: GraphQLClient) -> None:
    twice = """
    mutation {
      a: setStaffPassword(input: {token: "one", password: "a long staff passphrase"}) { token }
      b: setStaffPassword(input: {token: "two", password: "a long staff passphrase"}) { token }
    }
    """
    result = await gql.execute(twice)
    assert result.errors
    assert result.data is None
    assert SET_PASSWORD
