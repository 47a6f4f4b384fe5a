"""A retried request on every entry path is recognised by its client id, not recorded twice."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from models.attendance import AttendanceEvent, EventKind
from models.audit import AuditEntry
from models.org import Site
from services import contactless
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.family.helpers import REPORT_ABSENCE, account_for, household, parent_token
from tests.graphql import GraphQLClient
from tests.world import World

KIOSK_SIGN_IN = """
mutation($i: KioskSignInput!) {
  kioskSignIn(input: $i) { children { id status } errors { code field } }
}
"""
KIOSK_SIGN_OUT = KIOSK_SIGN_IN.replace("kioskSignIn", "kioskSignOut")
PHONE_SIGN_IN = """
mutation($i: SignInInput!) {
  signIn(input: $i) { entries { child { id } status } errors { code field } }
}
"""
MARK_ABSENT = """
mutation($i: MarkAbsentInput!) {
  markAbsent(input: $i) { entry { status absenceReason } errors { code field } }
}
"""
TODAY = date(2026, 3, 4)


async def _events(kind: EventKind) -> int:
    return await AttendanceEvent.filter(kind=kind).count()


async def test_a_retried_kiosk_sign_in_and_out_is_recorded_once(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    _, token = await make.kiosk(world.site, paired_by=world.admin)
    ava = str(world.kids[0].id)
    entry = {"pin": home.pin_a, "childIds": [ava], "clientMutationId": str(uuid4())}
    first = await gql.execute(KIOSK_SIGN_IN, {"i": entry}, token=token)
    retried = await gql.execute(KIOSK_SIGN_IN, {"i": entry}, token=token)

    assert first.data["kioskSignIn"]["errors"] == []
    assert retried.data["kioskSignIn"]["errors"] == []
    assert {"id": ava, "status": "SIGNED_IN"} in retried.data["kioskSignIn"]["children"]
    assert await _events(EventKind.SIGN_IN) == 1

    out = {**entry, "clientMutationId": str(uuid4())}
    await gql.execute(KIOSK_SIGN_OUT, {"i": out}, token=token)
    again = await gql.execute(KIOSK_SIGN_OUT, {"i": out}, token=token)
    assert again.data["kioskSignOut"]["errors"] == []
    assert await _events(EventKind.SIGN_OUT) == 1
    # Without a client id a second sign-out is a new request, and it is refused.
    plain = {"pin": home.pin_a, "childIds": [ava]}
    refused = await gql.execute(KIOSK_SIGN_OUT, {"i": plain}, token=token)
    assert [e["code"] for e in refused.data["kioskSignOut"]["errors"]] == ["NOT_SIGNED_IN"]


async def test_a_retried_phone_sign_in_is_recorded_once(gql: GraphQLClient, world: World) -> None:
    home = await household(world)
    token = await parent_token(await account_for(home.guardian_a))
    code = contactless.current(TEST_KEYRING, await Site.get(id=world.site.id), gql.clock.now())
    assert code is not None
    entry = {
        "childIds": [str(world.kids[0].id)],
        "classroomId": str(world.room.id),
        "contactlessToken": code.token,
        "clientMutationId": str(uuid4()),
    }
    first = await gql.execute(PHONE_SIGN_IN, {"i": entry}, token=token)
    retried = await gql.execute(PHONE_SIGN_IN, {"i": entry}, token=token)

    assert first.data["signIn"]["errors"] == []
    assert retried.data["signIn"]["errors"] == []
    assert retried.data["signIn"]["entries"][0]["status"] == "SIGNED_IN"
    assert await _events(EventKind.SIGN_IN) == 1


async def test_a_retried_staff_absence_is_answered_not_refused(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    entry = {
        "childId": str(world.kids[1].id),
        "date": TODAY.isoformat(),
        "reason": "Fever",
        "clientMutationId": str(uuid4()),
    }
    first = await gql.execute(MARK_ABSENT, {"i": entry}, token=token)
    retried = await gql.execute(MARK_ABSENT, {"i": entry}, token=token)

    assert first.data["markAbsent"]["errors"] == []
    assert retried.data["markAbsent"]["errors"] == []
    assert retried.data["markAbsent"]["entry"] == {"status": "ABSENT", "absenceReason": "Fever"}
    assert await _events(EventKind.ABSENT) == 1
    assert await AuditEntry.filter(action="attendance.absent").count() == 1
    fresh = {**entry, "clientMutationId": str(uuid4())}
    refused = await gql.execute(MARK_ABSENT, {"i": fresh}, token=token)
    assert [e["code"] for e in refused.data["markAbsent"]["errors"]] == ["ALREADY_ABSENT"]


async def test_a_retried_parent_absence_is_answered_not_refused(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    token = await parent_token(await account_for(home.guardian_a))
    entry = {
        "childId": str(world.kids[0].id),
        "date": TODAY.isoformat(),
        "reason": "Dentist",
        "clientMutationId": str(uuid4()),
    }
    first = await gql.execute(REPORT_ABSENCE, {"i": entry}, token=token)
    retried = await gql.execute(REPORT_ABSENCE, {"i": entry}, token=token)

    assert first.data["reportAbsence"]["errors"] == []
    assert retried.data["reportAbsence"]["errors"] == []
    assert retried.data["reportAbsence"]["day"]["status"] == "ABSENT"
    assert await _events(EventKind.ABSENT) == 1


async def test_another_device_s_client_id_is_not_a_replay(gql: GraphQLClient, world: World) -> None:
    """The same client id from another session is another device's entry: checked anew."""
    entry = {
        "childId": str(world.kids[2].id),
        "date": TODAY.isoformat(),
        "clientMutationId": str(uuid4()),
    }
    first = await gql.execute(MARK_ABSENT, {"i": entry}, token=await make.token_for(world.teacher))
    other = await gql.execute(MARK_ABSENT, {"i": entry}, token=await make.token_for(world.admin))
    assert first.data["markAbsent"]["errors"] == []
    assert [e["code"] for e in other.data["markAbsent"]["errors"]] == ["ALREADY_ABSENT"]
