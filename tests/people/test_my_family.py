"""A parent keeps their own contact details and their family's contacts and pickups."""

from __future__ import annotations

from typing import Any

import pytest

from models.audit import AuditEntry
from models.family_accounts import FamilyAccount
from models.people import Family, FamilyAdult, GuardianSlot
from models.pins import PinCredential
from services import pins
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.family.helpers import Household, account_for, household, parent_token
from tests.graphql import GraphQLClient
from tests.world import World

ADULT = "adult { id familyId role firstName email phone language authorizedPickup }"
UPDATE_MINE = f"""
mutation($i: UpdateMyContactInput!) {{
  updateMyContact(input: $i) {{ {ADULT} errors {{ code field }} }}
}}
"""
ADD = f"""
mutation($i: AddContactInput!) {{
  addFamilyContact(input: $i) {{ {ADULT} errors {{ code field }} }}
}}
"""
UPDATE = f"""
mutation($i: UpdateAdultInput!) {{
  updateFamilyContact(input: $i) {{ {ADULT} errors {{ code field }} }}
}}
"""
REMOVE = """
mutation($i: RemoveContactInput!) {
  removeFamilyContact(input: $i) { adult { id } errors { code field } }
}
"""
MINE = "{ viewer { ... on ParentViewer { familyAdults { id role firstName } } } }"


async def _parent_of(home: Household) -> tuple[FamilyAccount, str]:
    account = await account_for(home.guardian_a)
    return account, await parent_token(account)


async def _other_household(world: World) -> Household:
    """The family of world.kids[1], with guardians and a contact of its own."""
    family = await Family.get(id=world.kids[1].family_id)
    a, _ = await make.adult_with_pin(family, slot=GuardianSlot.A)
    b, _ = await make.adult_with_pin(family, slot=GuardianSlot.B)
    contact, _ = await make.adult_with_pin(family)
    return Household(family, a, b, contact, "")


async def _call(gql: GraphQLClient, query: str, i: dict[str, Any], token: str) -> Any:
    result = await gql.execute(query, {"i": i}, token=token)
    assert result.errors == [], result.errors
    return next(iter(result.data.values()))


async def test_a_parent_changes_their_own_contact_details(gql: GraphQLClient, world: World) -> None:
    home = await household(world)
    account, token = await _parent_of(home)
    payload = await _call(
        gql,
        UPDATE_MINE,
        {"guardianId": str(home.guardian_a.id), "phone": "512 555 0177", "language": "ES"},
        token,
    )
    assert payload["errors"] == []
    assert payload["adult"]["phone"] == "+15125550177"
    assert payload["adult"]["language"] == "ES"
    entry = await AuditEntry.get(action="family.update_my_contact")
    assert (entry.actor_kind, entry.actor_id) == ("PARENT", str(account.id))
    assert entry.data == {
        "before": {"phone": None, "language": "en"},
        "after": {"phone": "+15125550177", "language": "es"},
    }
    bad = await _call(
        gql, UPDATE_MINE, {"guardianId": str(home.guardian_a.id), "email": "x@"}, token
    )
    assert bad["errors"] == [{"code": "INVALID_EMAIL", "field": "email"}]


async def test_a_parent_never_edits_the_other_guardian_or_another_family(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    other = await _other_household(world)
    _, token = await _parent_of(home)
    attempts = [
        (UPDATE_MINE, {"guardianId": str(home.guardian_b.id), "email": "me@example.test"}),
        (UPDATE_MINE, {"guardianId": str(other.guardian_a.id), "email": "me@example.test"}),
        (UPDATE, {"adultId": str(home.guardian_b.id), "firstName": "Changed"}),
        (UPDATE, {"adultId": str(other.contact.id), "firstName": "Changed"}),
        (REMOVE, {"adultId": str(other.contact.id)}),
        (REMOVE, {"adultId": str(home.guardian_b.id)}),
        (ADD, {"familyId": str(other.family.id), "firstName": "Sneaky", "lastName": "Pete"}),
        (ADD, {"familyId": str(world.foreign_kid.family_id), "firstName": "S", "lastName": "P"}),
    ]
    adults = await FamilyAdult.all().order_by("id").values()
    for query, variables in attempts:
        result = await gql.execute(query, {"i": variables}, token=token)
        assert result.codes == ["NOT_FOUND"], (query, variables)
    assert await FamilyAdult.all().order_by("id").values() == adults
    assert await AuditEntry.filter(action__startswith="family.").count() == 0


async def test_a_parent_adds_edits_and_removes_a_pickup_of_their_family(
    gql: GraphQLClient, world: World
) -> None:
    home = await household(world)
    _, token = await _parent_of(home)
    added = await _call(
        gql,
        ADD,
        {
            "familyId": str(home.family.id),
            "firstName": "Tía",
            "lastName": "Rosa",
            "phone": "+1 512 555 0150",
            "authorizedPickup": True,
        },
        token,
    )
    assert added["errors"] == []
    new_id = added["adult"]["id"]
    assert added["adult"]["role"] == "CONTACT"
    assert added["adult"]["phone"] == "+15125550150"
    pin = pins.reveal(TEST_KEYRING, await PinCredential.get(adult_id=new_id))
    assert await pins.find(TEST_KEYRING, world.agency.id, pin) is not None

    listed = await gql.execute(MINE, token=token)
    names = [(a["role"], a["firstName"]) for a in listed.data["viewer"]["familyAdults"]]
    # Their own guardian record and the contacts; the other guardian's record is not theirs.
    assert names[0] == ("GUARDIAN_A", home.guardian_a.first_name)
    assert ("GUARDIAN_B", home.guardian_b.first_name) not in names
    assert ("CONTACT", "Tía") in names

    no_phone = await _call(gql, UPDATE, {"adultId": new_id, "phone": ""}, token)
    assert no_phone["errors"] == [{"code": "PICKUP_NEEDS_PHONE", "field": "phone"}]
    renamed = await _call(gql, UPDATE, {"adultId": new_id, "firstName": "Rosa"}, token)
    assert renamed["adult"]["firstName"] == "Rosa"

    removed = await _call(gql, REMOVE, {"adultId": new_id}, token)
    assert removed["errors"] == []
    assert await pins.find(TEST_KEYRING, world.agency.id, pin) is None
    actions = await AuditEntry.filter(action__startswith="family.").values_list("action", flat=True)
    assert sorted(actions) == [
        "family.add_contact",
        "family.remove_contact",
        "family.update_contact",
    ]


@pytest.mark.parametrize("caller", ["staff", "kiosk", "anonymous"])
async def test_only_a_family_account_uses_the_family_mutations(
    gql: GraphQLClient, world: World, caller: str
) -> None:
    home = await household(world)
    if caller == "staff":
        token: str | None = await make.token_for(world.admin)
    elif caller == "kiosk":
        _, token = await make.kiosk(world.site, paired_by=world.admin)
    else:
        token = None
    result = await gql.execute(
        UPDATE, {"i": {"adultId": str(home.contact.id), "firstName": "X"}}, token=token
    )
    assert result.codes == ["UNAUTHENTICATED" if token is None else "FORBIDDEN"]
    assert (await FamilyAdult.get(id=home.contact.id)).first_name == home.contact.first_name
