"""The PIN pad: who may sign which children in and out at a site's kiosk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from models.attendance import AttendanceEvent
from models.audit import AuditEntry
from models.kiosk import Kiosk, PinFailure
from models.org import Classroom
from models.people import Child, Family, FamilyAdult, GuardianSlot, SharedPickup
from models.pins import PinCredential
from services import pins as pin_service
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient, Result
from tests.world import TEACHER_PIN, World

IDENTIFY = """
mutation($i: KioskPinInput!) {
  kioskIdentify(input: $i) {
    adult { id firstName lastInitial displayName }
    children { id firstName lastInitial displayName status }
    padState { locked reason }
    errors { code field message }
  }
}
"""
SIGN_IN = """
mutation($i: KioskSignInput!) {
  kioskSignIn(input: $i) { children { id status } errors { code field } }
}
"""
SIGN_OUT = """
mutation($i: KioskSignInput!) {
  kioskSignOut(input: $i) { children { id status } errors { code field } }
}
"""
ROSTER = """
query($room: ID!) {
  classroom(id: $room) { roster { child { id } status events { kind actor source } } }
}
"""

GUARDIAN_PIN = "271828"
PICKUP_PIN = "161803"
CONTACT_PIN = "141421"
SHARED_PIN = "577215"


@dataclass
class Door:
    """A kiosk at the world's main site and the family that uses it."""

    kiosk: Kiosk
    token: str
    family: Family
    guardian: FamilyAdult
    pickup: FamilyAdult
    contact: FamilyAdult
    maya: Child
    leo: Child
    # Same family, enrolled at the other site: never offered at this door.
    nora: Child
    toddler_room: Classroom


async def _with_pin(adult: FamilyAdult, pin: str, agency_id: object) -> FamilyAdult:
    await pin_service.store(TEST_KEYRING, str(agency_id), pin, adult_id=adult.id)
    return adult


@pytest.fixture
async def door(world: World) -> Door:
    kiosk, token = await make.kiosk(world.site, paired_by=world.admin, name="Front door")
    family = await make.family(world.agency, "Family Rivera")
    guardian = await _with_pin(
        await make.adult(family, slot=GuardianSlot.A, first_name="Rosa", last_name="Rivera"),
        GUARDIAN_PIN,
        world.agency.id,
    )
    pickup = await _with_pin(
        await make.adult(family, slot=None, first_name="Abuela", last_name="Rivera", pickup=True),
        PICKUP_PIN,
        world.agency.id,
    )
    contact = await _with_pin(
        await make.adult(family, slot=None, first_name="Tio", last_name="Rivera", pickup=False),
        CONTACT_PIN,
        world.agency.id,
    )
    toddler_room = await make.classroom(world.site, "Toddlers")
    maya = await make.child(world.room, of=family, first_name="Maya", last_name="Rivera")
    leo = await make.child(toddler_room, of=family, first_name="Leo", last_name="Rivera")
    nora = await make.child(world.other_room, of=family, first_name="Nora", last_name="Rivera")
    return Door(kiosk, token, family, guardian, pickup, contact, maya, leo, nora, toddler_room)


async def _identify(gql: GraphQLClient, token: str, pin: str) -> dict[str, Any]:
    result = await gql.execute(IDENTIFY, {"i": {"pin": pin}}, token=token)
    assert result.errors == [], result
    payload: dict[str, Any] = result.data["kioskIdentify"]  # type: ignore[index]
    return payload


async def _sign(
    gql: GraphQLClient, token: str, pin: str, kids: list[Child], *, out: bool = False
) -> dict[str, Any]:
    variables = {"i": {"pin": pin, "childIds": [str(k.id) for k in kids]}}
    result = await gql.execute(SIGN_OUT if out else SIGN_IN, variables, token=token)
    assert result.errors == [], result
    payload: dict[str, Any] = result.data["kioskSignOut" if out else "kioskSignIn"]  # type: ignore[index]
    return payload


async def test_a_guardian_sees_only_their_children_at_this_site_by_first_name_and_initial(
    gql: GraphQLClient, door: Door
) -> None:
    payload = await _identify(gql, door.token, GUARDIAN_PIN)
    assert payload["errors"] == []
    assert payload["adult"] == {
        "id": str(door.guardian.id),
        "firstName": "Rosa",
        "lastInitial": "R.",
        "displayName": "Rosa R.",
    }
    shown = {c["displayName"]: c["status"] for c in payload["children"]}
    assert shown == {"Maya R.": "NOT_ARRIVED", "Leo R.": "NOT_ARRIVED"}
    assert "Rivera" not in str(payload)
    assert payload["padState"] == {"locked": False, "reason": None}


async def test_the_pad_type_has_no_full_last_name_to_ask_for(
    gql: GraphQLClient, door: Door
) -> None:
    query = "mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { children { lastName } } }"
    result = await gql.execute(query, {"i": {"pin": GUARDIAN_PIN}}, token=door.token)
    assert result.codes == ["BAD_USER_INPUT"]


async def test_a_guardian_signs_children_of_two_rooms_in_and_out_and_the_record_names_them(
    gql: GraphQLClient, world: World, door: Door
) -> None:
    signed_in = await _sign(gql, door.token, GUARDIAN_PIN, [door.maya, door.leo])
    assert signed_in["errors"] == []
    assert {c["status"] for c in signed_in["children"]} == {"SIGNED_IN"}

    events = await AttendanceEvent.filter(child_id__in=[door.maya.id, door.leo.id])
    assert len(events) == 2
    for event in events:
        assert event.actor_adult_id == door.guardian.id
        assert event.actor_kind == "GUARDIAN"
        assert event.actor_name == "Rosa Rivera"
        assert event.device == f"kiosk:{door.kiosk.id}"
        assert event.source == "KIOSK_PIN"
        assert event.auth_method == "PIN"
        assert event.actor_staff_id is None
    assert {str(e.classroom_id) for e in events} == {str(world.room.id), str(door.toddler_room.id)}

    # Staff see who did it; both rooms' live rosters heard of it.
    teacher = await make.token_for(world.teacher)
    roster = await gql.execute(ROSTER, {"room": str(world.room.id)}, token=teacher)
    maya_row = next(
        r
        for r in roster.data["classroom"]["roster"]  # type: ignore[index]
        if r["child"]["id"] == str(door.maya.id)
    )
    assert maya_row["status"] == "SIGNED_IN"
    assert maya_row["events"] == [
        {"kind": "SIGN_IN", "actor": "Rosa Rivera", "source": "KIOSK_PIN"}
    ]
    channels = {channel for channel, _ in gql.broadcast.published}
    assert f"classroom:{world.room.id}" in channels
    assert f"classroom:{door.toddler_room.id}" in channels

    audit = await AuditEntry.filter(action="attendance.sign_in", target_id=str(door.maya.id)).get()
    assert audit.actor_kind == "GUARDIAN"
    assert audit.actor_id == str(door.guardian.id)
    assert audit.device == f"kiosk:{door.kiosk.id}"

    signed_out = await _sign(gql, door.token, GUARDIAN_PIN, [door.maya], out=True)
    assert signed_out["errors"] == []
    statuses = {c["id"]: c["status"] for c in signed_out["children"]}
    assert statuses == {str(door.maya.id): "SIGNED_OUT", str(door.leo.id): "SIGNED_IN"}


async def test_signing_in_twice_is_refused_and_changes_nothing(
    gql: GraphQLClient, door: Door
) -> None:
    await _sign(gql, door.token, GUARDIAN_PIN, [door.maya])
    again = await _sign(gql, door.token, GUARDIAN_PIN, [door.maya, door.leo])
    assert [e["code"] for e in again["errors"]] == ["ALREADY_SIGNED_IN"]
    assert await AttendanceEvent.filter(child_id=door.leo.id).count() == 0
    not_in = await _sign(gql, door.token, GUARDIAN_PIN, [door.leo], out=True)
    assert [e["code"] for e in not_in["errors"]] == ["NOT_SIGNED_IN"]


async def test_an_authorized_pickup_signs_the_family_out_but_a_plain_contact_cannot(
    gql: GraphQLClient, door: Door
) -> None:
    await _sign(gql, door.token, GUARDIAN_PIN, [door.maya])
    pickup_view = await _identify(gql, door.token, PICKUP_PIN)
    assert {c["firstName"] for c in pickup_view["children"]} == {"Maya", "Leo"}
    out = await _sign(gql, door.token, PICKUP_PIN, [door.maya], out=True)
    assert out["errors"] == []
    event = await AttendanceEvent.filter(child_id=door.maya.id, kind="SIGN_OUT").get()
    assert event.actor_kind == "CONTACT"
    assert event.actor_adult_id == door.pickup.id

    contact_view = await _identify(gql, door.token, CONTACT_PIN)
    assert contact_view["errors"] == []
    assert contact_view["children"] == []
    refused = await _sign(gql, door.token, CONTACT_PIN, [door.leo])
    assert [e["code"] for e in refused["errors"]] == ["NOT_ALLOWED"]
    assert await AttendanceEvent.filter(child_id=door.leo.id).count() == 0


async def test_a_shared_pickup_signs_the_children_of_the_family_that_authorized_them(
    gql: GraphQLClient, world: World, door: Door
) -> None:
    neighbours = await make.family(world.agency, "Family Okafor")
    sam = await make.child(world.room, of=neighbours, first_name="Sam", last_name="Okafor")
    helper = await _with_pin(
        await make.adult(neighbours, slot=GuardianSlot.A, first_name="Ike", last_name="Okafor"),
        SHARED_PIN,
        world.agency.id,
    )
    before = await _identify(gql, door.token, SHARED_PIN)
    assert {c["firstName"] for c in before["children"]} == {"Sam"}

    await SharedPickup.create(adult=helper, family=door.family)
    after = await _identify(gql, door.token, SHARED_PIN)
    assert {c["firstName"] for c in after["children"]} == {"Sam", "Maya", "Leo"}
    signed = await _sign(gql, door.token, SHARED_PIN, [door.maya, sam])
    assert signed["errors"] == []
    event = await AttendanceEvent.filter(child_id=door.maya.id).get()
    assert event.actor_adult_id == helper.id

    # The authorization runs one way: Rosa may not sign the Okafors' child.
    refused = await _sign(gql, door.token, GUARDIAN_PIN, [sam], out=True)
    assert [e["code"] for e in refused["errors"]] == ["NOT_ALLOWED"]


async def test_children_of_other_families_sites_and_agencies_are_refused_alike(
    gql: GraphQLClient, world: World, door: Door
) -> None:
    for stranger in (world.kids[0], door.nora, world.foreign_kid):
        result = await _sign(gql, door.token, GUARDIAN_PIN, [stranger])
        assert [e["code"] for e in result["errors"]] == ["NOT_ALLOWED"], stranger
    # One refused child stops the whole group.
    mixed = await _sign(gql, door.token, GUARDIAN_PIN, [door.maya, world.kids[0]])
    assert [e["code"] for e in mixed["errors"]] == ["NOT_ALLOWED"]
    assert await AttendanceEvent.all().count() == 0


async def test_the_kiosk_of_another_site_shows_that_sites_children_only(
    gql: GraphQLClient, world: World, door: Door
) -> None:
    _, other_token = await make.kiosk(world.other_site, paired_by=world.admin)
    payload = await _identify(gql, other_token, GUARDIAN_PIN)
    assert [c["firstName"] for c in payload["children"]] == ["Nora"]
    refused = await _sign(gql, other_token, GUARDIAN_PIN, [door.maya])
    assert [e["code"] for e in refused["errors"]] == ["NOT_ALLOWED"]


async def test_a_pin_means_nothing_at_another_agencys_kiosk(
    gql: GraphQLClient, world: World, door: Door
) -> None:
    _, foreign_token = await make.kiosk(world.foreign_site, paired_by=world.foreign_admin)
    payload = await _identify(gql, foreign_token, GUARDIAN_PIN)
    assert [e["code"] for e in payload["errors"]] == ["INVALID_PIN"]
    assert payload["adult"] is None
    assert payload["children"] == []


async def test_staff_pins_are_refused_by_the_parent_pad_and_counted(
    gql: GraphQLClient, door: Door
) -> None:
    payload = await _identify(gql, door.token, TEACHER_PIN)
    assert [e["code"] for e in payload["errors"]] == ["INVALID_PIN"]
    assert payload["adult"] is None
    assert await PinFailure.filter(kiosk_id=door.kiosk.id).count() == 1


# int() would accept Arabic-Indic and full-width digits, underscores and spaces.
ARABIC_INDIC = "\u0662\u0667\u0661\u0668\u0662\u0668"
FULL_WIDTH = "\uff12\uff17\uff11\uff18\uff12\uff18"


@pytest.mark.parametrize(
    "pin", ["", "12345a", ARABIC_INDIC, FULL_WIDTH, "271_828", " 271828", "2718281"]
)
async def test_malformed_pins_are_wrong_pins_never_converted(
    gql: GraphQLClient, door: Door, pin: str
) -> None:
    payload = await _identify(gql, door.token, pin)
    assert [e["code"] for e in payload["errors"]] == ["INVALID_PIN"]
    assert payload["adult"] is None


async def test_only_kiosks_use_the_pad(gql: GraphQLClient, world: World, door: Door) -> None:
    variables = {"i": {"pin": GUARDIAN_PIN}}
    staff = await gql.execute(IDENTIFY, variables, token=await make.token_for(world.admin))
    assert staff.codes == ["FORBIDDEN"]
    anonymous = await gql.execute(IDENTIFY, variables)
    assert anonymous.codes == ["UNAUTHENTICATED"]
    await Kiosk.filter(id=door.kiosk.id).update(revoked_at=door.kiosk.paired_at)
    revoked = await gql.execute(IDENTIFY, variables, token=door.token)
    assert revoked.codes == ["UNAUTHENTICATED"]
    assert await PinFailure.all().count() == 0


async def test_a_request_cannot_try_several_pins_at_once(gql: GraphQLClient, door: Door) -> None:
    aliased = """
    mutation {
      a: kioskIdentify(input: {pin: "111112"}) { errors { code } }
      b: kioskIdentify(input: {pin: "271828"}) { errors { code } }
    }
    """
    result: Result = await gql.execute(aliased, token=door.token)
    assert result.data is None
    assert result.codes == ["BAD_USER_INPUT"]
    assert "only field" in result.errors[0]["message"]
    assert await PinFailure.all().count() == 0


async def test_no_clear_pin_is_stored_or_audited(gql: GraphQLClient, door: Door) -> None:
    await _identify(gql, door.token, "999990")  # a wrong PIN: counted and audited
    await _sign(gql, door.token, GUARDIAN_PIN, [door.maya])
    for credential in await PinCredential.all():
        assert GUARDIAN_PIN not in credential.lookup + credential.encrypted
    for entry in await AuditEntry.all():
        text = str(entry.data)
        assert GUARDIAN_PIN not in text
        assert "999990" not in text
    failure = await AuditEntry.filter(action="kiosk.pin_failed").get()
    assert failure.data == {"purpose": "PAD", "site_id": str(door.kiosk.site_id)}
