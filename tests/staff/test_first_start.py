"""The first start of a real agency, end to end at the API: nothing but services and
GraphQL from an empty database (no demo data, no factory-made staff)."""

from __future__ import annotations

from models.audit import AuditEntry
from models.org import Agency
from services import agencies
from services.staff_passwords import LinkPolicy
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.staff.helpers import (
    CREATE_ROLE,
    CREATE_STAFF,
    VIEWER,
    latest_token,
    login,
    payload,
    set_password,
    token_of,
)

LINKS = LinkPolicy(TEST_KEYRING, "https://playroll.example.org")


async def test_from_create_agency_to_a_teacher_reading_their_pin(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    assert await Agency.all().count() == 0
    first = await agencies.create_agency(
        "Sunny Days",
        "director@example.org",
        first_name="Dana",
        last_name="Director",
        timezone="America/Chicago",
        links=LINKS,
        now=clock.now(),
    )
    assert first.link.startswith("https://playroll.example.org/staff/set-password?token=")
    # Before a password is chosen, nothing signs in.
    assert await login(gql, "director@example.org", "") is None

    chosen = payload(await set_password(gql, token_of(first.link)), "setStaffPassword")
    assert chosen["errors"] == []
    assert chosen["token"]
    admin = await login(gql, "director@example.org")
    assert admin is not None
    me = payload(await gql.execute(VIEWER, token=admin), "viewer")
    assert me["isAgencyAdmin"] is True
    assert me["pin"] is not None

    # Sites are another engineer's part of this issue: made here by the factory.
    site = await make.site(first.agency, name="Main Street")
    role = payload(
        await gql.execute(
            CREATE_ROLE,
            {"i": {"name": "Teacher", "attendance": "EDIT", "students": "VIEW"}},
            token=admin,
        ),
        "createRole",
    )["role"]
    created = payload(
        await gql.execute(
            CREATE_STAFF,
            {
                "i": {
                    "firstName": "Tess",
                    "lastName": "Teacher",
                    "email": "tess@example.org",
                    "roleId": role["id"],
                    "siteIds": [str(site.id)],
                }
            },
            token=admin,
        ),
        "createStaff",
    )
    assert created["errors"] == []

    assert payload(
        await set_password(gql, await latest_token("tess@example.org")), "setStaffPassword"
    )["token"]
    teacher = await login(gql, "tess@example.org")
    assert teacher is not None
    tess = payload(await gql.execute(VIEWER, token=teacher), "viewer")
    assert tess["name"] == "Tess Teacher"
    assert tess["siteIds"] == [str(site.id)]
    assert set(tess["grants"]) == {"VIEW_ATTENDANCE", "EDIT_ATTENDANCE", "VIEW_STUDENTS"}
    # A PIN of the agency's length, different from the admin's.
    assert len(tess["pin"]) == 6
    assert tess["pin"].isdigit()
    assert tess["pin"] != me["pin"]
    actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"agency.create", "staff.create", "staff.password_set", "role.create"} <= actions
