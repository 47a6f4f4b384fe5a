"""Staff with Students edit keep a family's guardians, contacts and pickups."""

from __future__ import annotations

from typing import Any

import pytest

from models.audit import AuditEntry
from models.org import ModuleAccess, StaffUser
from models.people import Family, FamilyAdult, GuardianSlot
from models.pins import PinCredential
from services import pins
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.family.helpers import household
from tests.graphql import GraphQLClient
from tests.world import World

ADULT = (
    "adult { id familyId role firstName lastName relationship email phone preferredContact "
    "language authorizedPickup }"
)
ADD_GUARDIAN = f"""
mutation($i: AddGuardianInput!) {{ addGuardian(input: $i) {{ {ADULT} errors {{ code field }} }} }}
"""
ADD_CONTACT = f"""
mutation($i: AddContactInput!) {{ addContact(input: $i) {{ {ADULT} errors {{ code field }} }} }}
"""
UPDATE = f"""
mutation($i: UpdateAdultInput!) {{ updateAdult(input: $i) {{ {ADULT} errors {{ code field }} }} }}
"""
REMOVE = """
mutation($i: RemoveContactInput!) {
  removeContact(input: $i) { adult { id } errors { code field } }
}
"""
LINK = """
mutation($i: SharedPickupInput!) {
  linkSharedPickup(input: $i) { adult { id } errors { code field } }
}
"""
UNLINK = """
mutation($i: SharedPickupInput!) {
  unlinkSharedPickup(input: $i) { adult { id } errors { code field } }
}
"""
FAMILY_OF = """
query($id: ID!) { child(id: $id) {
  familyAdults { id role firstName }
  sharedPickups { id firstName }
} }
"""


async def _editor(world: World, *sites: object) -> StaffUser:
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    return await make.staff(world.agency, role=role, sites=list(sites) or [world.site])  # type: ignore[arg-type]


async def _run(
    gql: GraphQLClient, query: str, name: str, i: dict[str, Any], user: StaffUser
) -> Any:
    result = await gql.execute(query, {"i": i}, token=await make.token_for(user))
    assert result.errors == [], result.errors
    return result.data[name]


async def _written() -> tuple[int, int, int]:
    return (
        await FamilyAdult.all().count(),
        await PinCredential.all().count(),
        await AuditEntry.filter(action__startswith="people.").count(),
    )


async def test_an_editor_adds_guardian_a_with_a_pin_and_an_audit_entry(
    gql: GraphQLClient, world: World
) -> None:
    editor = await _editor(world)
    family_id = str(world.kids[0].family_id)
    payload = await _run(
        gql,
        ADD_GUARDIAN,
        "addGuardian",
        {
            "familyId": family_id,
            "firstName": " Maria ",
            "lastName": "López",
            "relationship": "Mother",
            "email": " Maria@Example.TEST ",
            "phone": "(512) 555-0134",
            "preferredContact": "SMS",
            "language": "ES",
            "authorizedPickup": True,
        },
        editor,
    )
    assert payload["errors"] == []
    adult = payload["adult"]
    assert adult | {"id": None} == {
        "id": None,
        "familyId": family_id,
        "role": "GUARDIAN_A",
        "firstName": "Maria",
        "lastName": "López",
        "relationship": "Mother",
        "email": "maria@example.test",
        "phone": "+15125550134",
        "preferredContact": "SMS",
        "language": "ES",
        "authorizedPickup": True,
    }
    credential = await PinCredential.get(adult_id=adult["id"])
    pin = pins.reveal(TEST_KEYRING, credential)
    assert len(pin) == 6
    assert (await pins.find(TEST_KEYRING, world.agency.id, pin)) is not None
    entry = await AuditEntry.get(action="people.add_guardian")
    assert entry.actor_id == str(editor.id)
    assert entry.target_id == adult["id"]
    assert entry.data["after"]["phone"] == "+15125550134"
    assert entry.data["slot"] == "A"
    assert pin not in str(entry.data)


async def test_guardians_fill_a_then_b_and_a_third_is_refused_with_nothing_written(
    gql: GraphQLClient, world: World
) -> None:
    editor = await _editor(world)
    family_id = str(world.kids[0].family_id)
    roles = []
    for name in ("Ann", "Bob"):
        payload = await _run(
            gql,
            ADD_GUARDIAN,
            "addGuardian",
            {"familyId": family_id, "firstName": name, "lastName": "Lee"},
            editor,
        )
        roles.append(payload["adult"]["role"])
    assert roles == ["GUARDIAN_A", "GUARDIAN_B"]
    before = await _written()
    third = await _run(
        gql,
        ADD_GUARDIAN,
        "addGuardian",
        {"familyId": family_id, "firstName": "Cy", "lastName": "Lee"},
        editor,
    )
    assert third == {"adult": None, "errors": [{"code": "TOO_MANY_GUARDIANS", "field": "slot"}]}
    taken = await _run(
        gql,
        ADD_GUARDIAN,
        "addGuardian",
        {"familyId": family_id, "firstName": "Cy", "lastName": "Lee", "slot": "B"},
        editor,
    )
    assert taken["errors"] == [{"code": "GUARDIAN_SLOT_TAKEN", "field": "slot"}]
    assert await _written() == before


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"phone": "555-0134"}, {"code": "INVALID_PHONE", "field": "phone"}),
        ({"phone": "+1 555 555 0123"}, {"code": "INVALID_PHONE", "field": "phone"}),
        ({"email": "grandma@"}, {"code": "INVALID_EMAIL", "field": "email"}),
        ({"authorizedPickup": True}, {"code": "PICKUP_NEEDS_PHONE", "field": "phone"}),
        (
            {"authorizedPickup": True, "phone": "", "email": "g@example.test"},
            {"code": "PICKUP_NEEDS_PHONE", "field": "phone"},
        ),
    ],
)
async def test_bad_contact_details_are_refused_with_nothing_written(
    gql: GraphQLClient, world: World, extra: dict[str, Any], error: dict[str, str]
) -> None:
    editor = await _editor(world)
    before = await _written()
    payload = await _run(
        gql,
        ADD_CONTACT,
        "addContact",
        {"familyId": str(world.kids[0].family_id), "firstName": "Gran", "lastName": "Ma"} | extra,
        editor,
    )
    assert payload == {"adult": None, "errors": [error]}
    assert await _written() == before


async def test_an_editor_edits_a_contact_audited_before_and_after(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    editor = await _editor(world)
    payload = await _run(
        gql,
        UPDATE,
        "updateAdult",
        {
            "adultId": str(home.contact.id),
            "phone": "+52 55 1234 5678",
            "relationship": "Grandmother",
            "language": "ES",
        },
        editor,
    )
    assert payload["errors"] == []
    assert payload["adult"]["phone"] == "+525512345678"
    entry = await AuditEntry.get(action="people.update_adult")
    assert entry.data == {
        "before": {"phone": None, "relationship": "", "language": "en"},
        "after": {"phone": "+525512345678", "relationship": "Grandmother", "language": "es"},
    }
    # A pickup's phone cannot be taken away: they must stay reachable at the door.
    refused = await _run(
        gql, UPDATE, "updateAdult", {"adultId": str(home.contact.id), "phone": ""}, editor
    )
    assert refused["errors"] == [{"code": "PICKUP_NEEDS_PHONE", "field": "phone"}]
    assert (await FamilyAdult.get(id=home.contact.id)).phone == "+525512345678"


async def test_removing_a_contact_ends_their_pin_and_pickups_but_keeps_history(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    editor = await _editor(world)
    other_family = await Family.get(id=world.kids[1].family_id)
    await FamilyAdult.filter(id=home.contact.id).update(phone="+15125550199")
    await _run(
        gql,
        LINK,
        "linkSharedPickup",
        {"adultId": str(home.contact.id), "familyId": str(other_family.id)},
        editor,
    )
    pin = pins.reveal(TEST_KEYRING, await PinCredential.get(adult_id=home.contact.id))

    guardian = await _run(
        gql, REMOVE, "removeContact", {"adultId": str(home.guardian_a.id)}, editor
    )
    assert guardian["errors"] == [{"code": "GUARDIAN_NOT_REMOVABLE", "field": "adultId"}]
    removed = await _run(gql, REMOVE, "removeContact", {"adultId": str(home.contact.id)}, editor)
    assert removed["errors"] == []

    token = await make.token_for(editor)
    mine = (await gql.execute(FAMILY_OF, {"id": str(world.kids[0].id)}, token=token)).data
    assert [a["role"] for a in mine["child"]["familyAdults"]] == ["GUARDIAN_A", "GUARDIAN_B"]
    theirs = (await gql.execute(FAMILY_OF, {"id": str(world.kids[1].id)}, token=token)).data
    assert theirs["child"]["sharedPickups"] == []
    assert await pins.find(TEST_KEYRING, world.agency.id, pin) is None
    kept = await FamilyAdult.get(id=home.contact.id)
    assert kept.removed_at is not None
    assert kept.first_name == home.contact.first_name
    entry = await AuditEntry.get(action="people.remove_contact")
    assert entry.data["before"]["first_name"] == home.contact.first_name
    assert entry.data["shared_pickups_ended"] == [str(other_family.id)]
    again = await gql.execute(REMOVE, {"i": {"adultId": str(home.contact.id)}}, token=token)
    assert again.codes == ["NOT_FOUND"]


async def test_shared_pickups_are_linked_and_unlinked_between_families(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    editor = await _editor(world)
    other = str(world.kids[1].family_id)
    guardian_b = str(home.guardian_b.id)  # has a phone
    linked = await _run(
        gql, LINK, "linkSharedPickup", {"adultId": guardian_b, "familyId": other}, editor
    )
    assert linked == {"adult": {"id": guardian_b}, "errors": []}
    token = await make.token_for(editor)
    theirs = (await gql.execute(FAMILY_OF, {"id": str(world.kids[1].id)}, token=token)).data
    assert theirs["child"]["sharedPickups"] == [
        {"id": guardian_b, "firstName": home.guardian_b.first_name}
    ]
    entry = await AuditEntry.get(action="people.link_shared_pickup")
    assert entry.data == {"before": {"shared_with": None}, "after": {"shared_with": other}}

    own = await _run(
        gql,
        LINK,
        "linkSharedPickup",
        {"adultId": guardian_b, "familyId": str(home.family.id)},
        editor,
    )
    assert own["errors"] == [{"code": "SAME_FAMILY", "field": "familyId"}]
    no_phone = await _run(
        gql,
        LINK,
        "linkSharedPickup",
        {"adultId": str(home.guardian_a.id), "familyId": other},
        editor,
    )
    assert no_phone["errors"] == [{"code": "PICKUP_NEEDS_PHONE", "field": "adultId"}]

    unlinked = await _run(
        gql, UNLINK, "unlinkSharedPickup", {"adultId": guardian_b, "familyId": other}, editor
    )
    assert unlinked["errors"] == []
    theirs = (await gql.execute(FAMILY_OF, {"id": str(world.kids[1].id)}, token=token)).data
    assert theirs["child"]["sharedPickups"] == []
    assert await AuditEntry.filter(action="people.unlink_shared_pickup").count() == 1
    twice = await _run(
        gql, UNLINK, "unlinkSharedPickup", {"adultId": guardian_b, "familyId": other}, editor
    )
    assert twice["errors"] == [{"code": "NOT_SHARED", "field": "familyId"}]


def _calls(home_contact: str, family: str, other_family: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (ADD_GUARDIAN, {"familyId": family, "firstName": "X", "lastName": "Y"}),
        (ADD_CONTACT, {"familyId": family, "firstName": "X", "lastName": "Y"}),
        (UPDATE, {"adultId": home_contact, "firstName": "X"}),
        (REMOVE, {"adultId": home_contact}),
        (LINK, {"adultId": home_contact, "familyId": other_family}),
        (UNLINK, {"adultId": home_contact, "familyId": other_family}),
    ]


@pytest.mark.parametrize("call", range(6))
@pytest.mark.parametrize("caller", ["view_only", "parent", "kiosk", "other_site", "foreign"])
async def test_callers_without_the_right_get_nothing(
    gql: GraphQLClient, world: World, call: int, caller: str
) -> None:
    from tests.family.helpers import account_for, parent_token

    home = await household(world)
    await FamilyAdult.filter(id=home.contact.id).update(phone="+15125550199")
    query, variables = _calls(
        str(home.contact.id), str(home.family.id), str(world.kids[1].family_id)
    )[call]
    if caller == "view_only":
        token = await make.token_for(world.students_viewer)
    elif caller == "parent":
        token = await parent_token(await account_for(home.guardian_a))
    elif caller == "kiosk":
        _, token = await make.kiosk(world.site, paired_by=world.admin)
    elif caller == "other_site":
        token = await make.token_for(await _editor(world, world.other_site))
    else:
        token = await make.token_for(world.foreign_admin)
    before = await _written()
    result = await gql.execute(query, {"i": variables}, token=token)
    expected = "NOT_FOUND" if caller in ("other_site", "foreign") else "FORBIDDEN"
    assert result.codes == [expected]
    assert await _written() == before
    assert (await FamilyAdult.get(id=home.contact.id)).removed_at is None
    assert (
        await FamilyAdult.filter(guardian_slot=GuardianSlot.A, family_id=home.family.id).count()
        == 1
    )
