"""Parents see and sign their own children's staff entries, and nobody else's."""

from __future__ import annotations

import pytest

from auth.principals import ParentPrincipal
from models.attendance import AttendanceEvent
from models.audit import AuditEntry
from models.signatures import ParentSignature, SignedEntry
from services import signatures
from tests.confirmations.helpers import (
    CONFIRM,
    Scene,
    confirm,
    data,
    roster_events,
    scene,
    staff_day,
    today_at,
    unconfirmed,
)
from tests.graphql import GraphQLClient
from tests.world import World


@pytest.fixture
async def s(world: World) -> Scene:
    return await scene(world)


async def test_staff_entries_show_as_unconfirmed_to_that_familys_parent_only(
    gql: GraphQLClient, s: Scene
) -> None:
    await staff_day(gql, s)
    entries = await unconfirmed(gql, s.parent)
    assert [e["kind"] for e in entries] == ["SIGN_IN", "SIGN_OUT", "ABSENT"]
    assert {e["child"]["firstName"] for e in entries} == {"Ava"}
    assert entries[2]["reason"] == "Trip"
    assert all(e["correctedFrom"] is None and e["askedAgain"] is False for e in entries)
    assert await unconfirmed(gql, s.other_parent) == []
    # Nothing of the staff side travels with them: no session device, no operator.
    assert "staff-session" not in str(entries)
    private = await gql.execute(
        "{ viewer { ... on ParentViewer { unconfirmedEntries { child { dateOfBirth } } } } }",
        token=s.parent,
    )
    assert set(private.codes) == {"FORBIDDEN"}


async def test_entries_the_family_made_itself_are_not_asked_about(
    gql: GraphQLClient, s: Scene
) -> None:
    kiosk_in = """
    mutation($i: KioskSignInput!) { kioskSignIn(input: $i) { errors { code } } }
    """
    variables = {"i": {"pin": s.home.pin_a, "childIds": [str(s.ava.id)]}}
    assert data(await gql.execute(kiosk_in, variables, token=s.kiosk_token))["kioskSignIn"] == {
        "errors": []
    }
    assert await unconfirmed(gql, s.parent) == []


async def test_confirm_attendance_signs_what_the_parent_saw_and_is_audited(
    gql: GraphQLClient, s: Scene
) -> None:
    await staff_day(gql, s)
    ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    payload = await confirm(gql, s.parent, ids)
    assert payload["errors"] == []
    [signed] = payload["signatures"]
    assert signed["method"] == "FAMILY_APP"
    assert signed["signedBy"] == s.home.guardian_a.display_name
    assert sorted(signed["entryIds"]) == sorted(ids)
    assert (signed["stale"], signed["reset"]) == (False, False)

    stored = await ParentSignature.get(id=signed["id"])
    events = sorted(
        await AttendanceEvent.filter(id__in=ids), key=lambda e: (e.occurred_at, str(e.id))
    )
    assert stored.content == [signatures.entry_content(e) for e in events]
    assert stored.content_hash == signed["contentHash"] == signatures.content_hash(stored.content)
    assert str(stored.adult_id) == str(s.home.guardian_a.id)
    assert stored.device.startswith("family-session:")
    assert await SignedEntry.filter(signature_id=stored.id).count() == 3
    audit = await AuditEntry.get(action="attendance.confirm")
    assert audit.target_id == str(stored.id)
    assert (audit.actor_kind, audit.actor_id) == ("GUARDIAN", str(s.home.guardian_a.id))
    assert audit.data["content_hash"] == stored.content_hash

    assert await unconfirmed(gql, s.parent) == []
    # The parent's signature replaces the staff one on the roster.
    today = await roster_events(gql, s)
    assert {e["signedBy"] for e in today} == {s.home.guardian_a.display_name}
    assert not any(e["needsConfirmation"] or e["signatureStale"] for e in today)


async def test_confirming_another_familys_entry_is_refused_and_writes_nothing(
    gql: GraphQLClient, s: Scene
) -> None:
    await staff_day(gql, s)
    ava_ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    # Ben's own staff entry, so the other parent also has something real to mix in.
    variables = {
        "i": {
            "childIds": [str(s.ben.id)],
            "classroomId": str(s.world.room.id),
            "at": today_at(s.world, 0.5).isoformat(),
        }
    }
    signed_in = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
    data(await gql.execute(signed_in, variables, token=s.teacher))
    [ben_entry] = await unconfirmed(gql, s.other_parent)
    audits = await AuditEntry.all().count()

    for ids in (ava_ids[:1], [ben_entry["id"], ava_ids[0]], ["not-an-id"]):
        result = await gql.execute(CONFIRM, {"i": {"entryIds": ids}}, token=s.other_parent)
        if ids == ["not-an-id"]:
            assert result.codes == ["NOT_FOUND"]
            continue
        payload = data(result)["confirmAttendance"]
        assert payload["signatures"] == []
        assert {e["code"] for e in payload["errors"]} == {"NOT_CONFIRMABLE"}
        assert ava_ids[0] in str(payload["errors"])
    assert await ParentSignature.all().count() == 0
    assert await AuditEntry.all().count() == audits
    assert len(await unconfirmed(gql, s.parent)) == 3

    # Staff and kiosks cannot sign for a family at all.
    for token in (s.teacher, s.kiosk_token):
        denied = await gql.execute(CONFIRM, {"i": {"entryIds": ava_ids}}, token=token)
        assert denied.codes == ["FORBIDDEN"]


async def test_an_entry_is_signed_once(gql: GraphQLClient, s: Scene) -> None:
    await staff_day(gql, s)
    ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    assert (await confirm(gql, s.parent, ids[:1]))["errors"] == []
    again = await confirm(gql, s.parent, ids[:2])
    assert [e["code"] for e in again["errors"]] == ["NOT_CONFIRMABLE"]
    assert await ParentSignature.all().count() == 1
    empty = await gql.execute(CONFIRM, {"i": {"entryIds": []}}, token=s.parent)
    assert empty.codes == ["BAD_USER_INPUT"]


async def test_a_second_guardians_account_sees_and_signs_the_same_entries(
    gql: GraphQLClient, s: Scene
) -> None:
    from tests.family.helpers import account_for, parent_token

    await staff_day(gql, s)
    other = await parent_token(await account_for(s.home.guardian_b, login="+15125550134"))
    ids = [e["id"] for e in await unconfirmed(gql, other)]
    assert len(ids) == 3
    [signed] = (await confirm(gql, other, ids))["signatures"]
    assert signed["signedBy"] == s.home.guardian_b.display_name
    assert await unconfirmed(gql, s.parent) == []


async def test_listing_costs_the_same_queries_for_one_entry_or_many(
    gql: GraphQLClient, s: Scene
) -> None:

    from services import confirmations
    from tests import factories as make
    from tests.querycount import count_queries

    principal = await gql.principal_for(s.parent)
    assert isinstance(principal, ParentPrincipal)
    now = gql.clock.now()
    signed_in = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
    room = str(s.world.room.id)

    async def measure() -> tuple[int, int]:
        with count_queries() as statements:
            found = await confirmations.unconfirmed_for_parent(principal, now)
        return len(statements), len(found)

    variables = {"i": {"childIds": [str(s.ava.id)], "classroomId": room}}
    data(await gql.execute(signed_in, variables, token=s.teacher))
    few, one = await measure()
    siblings = [await make.child(s.world.room, of=s.home.family) for _ in range(6)]
    variables = {"i": {"childIds": [str(k.id) for k in siblings], "classroomId": room}}
    data(await gql.execute(signed_in, variables, token=s.teacher))
    many, seven = await measure()
    assert (one, seven) == (1, 7)
    assert few == many <= 6
