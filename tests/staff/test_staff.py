"""Agency admins create staff, change their access, deactivate them and re-PIN them."""

from __future__ import annotations

from typing import Any

import pytest

from models.audit import AuditEntry
from models.notifications import Notification
from models.org import ModuleAccess, StaffSiteAccess, StaffUser
from models.pins import PinCredential
from realtime import channels
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.staff.helpers import (
    CREATE_STAFF,
    DEACTIVATE,
    RE_PIN,
    SEND_INVITATION,
    UPDATE_ACCESS,
    VIEWER,
    latest_token,
    links_sent,
    login,
    payload,
    set_password,
    token_of,
)
from tests.world import TEACHER_PIN, World


async def _new(world: World, **overrides: Any) -> dict[str, Any]:
    role = await make.role(world.agency)
    return {
        "firstName": "Nia",
        "lastName": "New",
        "email": "nia@example.org",
        "roleId": str(role.id),
        "siteIds": [str(world.site.id)],
        **overrides,
    }


async def _callers(world: World) -> dict[str, str]:
    """Everyone but an agency admin of the agency: refused before any rule is checked."""
    family = await make.family(world.agency)
    _adult, _ = await make.adult_with_pin(family)
    _, kiosk = await make.kiosk(world.site, paired_by=world.admin)
    site_admin_role = await make.role(world.agency, site_admin=True)
    site_admin = await make.staff(world.agency, role=site_admin_role, sites=[world.site])
    return {
        "teacher": await make.token_for(world.teacher),
        "viewer": await make.token_for(world.viewer),
        "site admin": await make.token_for(site_admin),
        "kiosk": kiosk,
    }


async def test_create_staff_gives_a_pin_and_sends_the_invitation(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    created = payload(
        await gql.execute(CREATE_STAFF, {"i": await _new(world)}, token=admin), "createStaff"
    )
    assert created["errors"] == []
    member = created["staff"]
    assert member["email"] == "nia@example.org"
    assert member["siteIds"] == [str(world.site.id)]
    assert member["isActive"] is True
    assert member["isAgencyAdmin"] is False
    assert await PinCredential.exists(staff_id=member["id"])
    assert len(await links_sent("nia@example.org")) == 1
    entry = await AuditEntry.get(action="staff.create", target_id=member["id"])
    assert entry.data["before"] is None
    assert entry.data["after"]["email"] == "nia@example.org"
    assert entry.actor_id == str(world.admin.id)
    # The new colleague reads their own PIN once signed in.
    await set_password(gql, await latest_token("nia@example.org"))
    token = await login(gql, "nia@example.org")
    assert token is not None
    pin = payload(await gql.execute(VIEWER, token=token), "viewer")["pin"]
    assert pin is not None
    assert len(pin) == world.agency.pin_length


async def test_a_duplicate_email_is_a_typed_error_and_nothing_is_written(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    # Unique across agencies: staff sign in by email alone.
    taken = world.foreign_admin.email.upper()
    result = payload(
        await gql.execute(CREATE_STAFF, {"i": await _new(world, email=taken)}, token=admin),
        "createStaff",
    )
    assert result["staff"] is None
    assert result["errors"] == [
        {
            "code": "EMAIL_TAKEN",
            "field": "email",
            "message": "A staff account with this email already exists.",
        }
    ]
    assert await StaffUser.filter(agency_id=world.agency.id).count() == 5
    assert await Notification.all().count() == 0
    assert not await AuditEntry.exists(action="staff.create")


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not an email"), ("firstName", "  "), ("lastName", "x" * 101)],
)
async def test_malformed_input_is_refused_with_its_field(
    gql: GraphQLClient, world: World, field: str, value: str
) -> None:
    admin = await make.token_for(world.admin)
    result = await gql.execute(
        CREATE_STAFF, {"i": await _new(world, **{field: value})}, token=admin
    )
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert not await StaffUser.exists(email="nia@example.org")


async def test_a_site_or_role_of_another_agency_is_not_found(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    foreign_role = await make.role(world.foreign_agency)
    for overrides in ({"siteIds": [str(world.foreign_site.id)]}, {"roleId": str(foreign_role.id)}):
        result = await gql.execute(CREATE_STAFF, {"i": await _new(world, **overrides)}, token=admin)
        assert result.codes == ["NOT_FOUND"]
    assert not await StaffUser.exists(email="nia@example.org")


@pytest.mark.parametrize(
    ("operation", "name"),
    [
        (CREATE_STAFF, "createStaff"),
        (SEND_INVITATION, "sendStaffInvitation"),
        (UPDATE_ACCESS, "updateStaffAccess"),
        (DEACTIVATE, "deactivateStaff"),
        (RE_PIN, "rePinStaff"),
    ],
)
async def test_only_agency_admins_manage_staff(
    gql: GraphQLClient, world: World, operation: str, name: str
) -> None:
    role = await make.role(world.agency)
    variables = {
        "i": (
            await _new(world)
            if name == "createStaff"
            else {"staffId": str(world.viewer.id), "roleId": str(role.id), "siteIds": []}
            if name == "updateStaffAccess"
            else {"staffId": str(world.viewer.id)}
        )
    }
    for caller, token in (await _callers(world)).items():
        result = await gql.execute(operation, variables, token=token)
        assert result.codes == ["FORBIDDEN"], (caller, result.errors)
    assert (await gql.execute(operation, variables)).codes == ["UNAUTHENTICATED"]
    if name != "createStaff":
        # Another agency's admin: the staff member does not exist for them.
        foreign = await make.token_for(world.foreign_admin)
        if name == "updateStaffAccess":
            foreign_role = await make.role(world.foreign_agency)
            variables["i"]["roleId"] = str(foreign_role.id)
        assert (await gql.execute(operation, variables, token=foreign)).codes == ["NOT_FOUND"]
    assert not await AuditEntry.filter(action__startswith="staff.").exists()
    viewer = await StaffUser.get(id=world.viewer.id)
    assert viewer.is_active
    assert viewer.role_id == world.viewer.role_id


async def test_update_access_replaces_role_and_sites_and_closes_sockets(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    result = payload(
        await gql.execute(
            UPDATE_ACCESS,
            {
                "i": {
                    "staffId": str(world.viewer.id),
                    "roleId": str(role.id),
                    "siteIds": [str(world.other_site.id)],
                }
            },
            token=admin,
        ),
        "updateStaffAccess",
    )
    assert result["errors"] == []
    assert result["staff"]["role"]["id"] == str(role.id)
    assert result["staff"]["siteIds"] == [str(world.other_site.id)]
    assert await StaffSiteAccess.filter(staff_id=world.viewer.id).values_list(
        "site_id", flat=True
    ) == [world.other_site.id]
    entry = await AuditEntry.get(action="staff.update_access")
    assert entry.data["before"]["site_ids"] == [str(world.site.id)]
    assert entry.data["after"]["site_ids"] == [str(world.other_site.id)]
    assert entry.data["after"]["role_id"] == str(role.id)
    assert (channels.access(world.viewer.id), {
        "type": "access.changed", "principal_id": str(world.viewer.id), "session_id": None,
    }) in gql.broadcast.published  # fmt: skip
    # The viewer's next request already carries the new access.
    viewer = await make.token_for(world.viewer)
    me = payload(await gql.execute(VIEWER, token=viewer), "viewer")
    assert "EDIT_STUDENTS" in me["grants"]
    assert me["siteIds"] == [str(world.other_site.id)]


async def test_the_last_agency_admin_cannot_be_demoted_or_deactivated(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    role = await make.role(world.agency)
    demote = {
        "i": {
            "staffId": str(world.admin.id),
            "roleId": str(role.id),
            "siteIds": [],
            "isAgencyAdmin": False,
        }
    }
    refused = payload(await gql.execute(UPDATE_ACCESS, demote, token=admin), "updateStaffAccess")
    assert [e["code"] for e in refused["errors"]] == ["LAST_ADMIN"]
    self_off = payload(
        await gql.execute(DEACTIVATE, {"i": {"staffId": str(world.admin.id)}}, token=admin),
        "deactivateStaff",
    )
    assert [e["code"] for e in self_off["errors"]] == ["CANNOT_DEACTIVATE_SELF"]
    second = await make.staff(world.agency, admin=True)
    other = payload(
        await gql.execute(
            DEACTIVATE, {"i": {"staffId": str(world.admin.id)}}, token=await make.token_for(second)
        ),
        "deactivateStaff",
    )
    assert other["errors"] == []
    assert other["staff"]["isActive"] is False


async def test_deactivation_ends_sessions_links_and_pin_but_keeps_the_name(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    admin = await make.token_for(world.admin)
    session = await make.token_for(world.teacher)
    await gql.execute(SEND_INVITATION, {"i": {"staffId": str(world.teacher.id)}}, token=admin)
    link_token = await latest_token(world.teacher.email)
    result = payload(
        await gql.execute(DEACTIVATE, {"i": {"staffId": str(world.teacher.id)}}, token=admin),
        "deactivateStaff",
    )
    assert result["errors"] == []
    member = result["staff"]
    assert member["isActive"] is False
    assert member["firstName"] == "Tess"
    # The session is dead, the link is dead, sign-in and the PIN are refused.
    assert (await gql.execute(VIEWER, token=session)).data == {"viewer": None}
    assert payload(await set_password(gql, link_token), "setStaffPassword")["token"] is None
    assert await login(gql, world.teacher.email, "correct horse battery") is None
    assert not await PinCredential.exists(staff_id=world.teacher.id)
    entry = await AuditEntry.get(action="staff.deactivate")
    assert entry.data["before"]["is_active"] is True
    assert entry.data["after"]["is_active"] is False
    assert entry.data["pin_removed"] is True
    assert channels.access(world.teacher.id) in [c for c, _ in gql.broadcast.published]
    # Twice is a typed error, not a second audit entry.
    again = payload(
        await gql.execute(DEACTIVATE, {"i": {"staffId": str(world.teacher.id)}}, token=admin),
        "deactivateStaff",
    )
    assert [e["code"] for e in again["errors"]] == ["INACTIVE"]
    assert await AuditEntry.filter(action="staff.deactivate").count() == 1


async def test_a_deactivated_teachers_pin_no_longer_unlocks_a_kiosk(
    gql: GraphQLClient, world: World
) -> None:
    _, pad = await make.kiosk(world.site, paired_by=world.admin)
    lock = "mutation { kioskLock { padState { locked } } }"
    unlock = "mutation($i: KioskPinInput!) { kioskUnlock(input: $i) { errors { code } } }"
    await gql.execute(lock, token=pad)
    unlocked = await gql.execute(unlock, {"i": {"pin": TEACHER_PIN}}, token=pad)
    assert payload(unlocked, "kioskUnlock")["errors"] == []
    await gql.execute(lock, token=pad)
    admin = await make.token_for(world.admin)
    await gql.execute(DEACTIVATE, {"i": {"staffId": str(world.teacher.id)}}, token=admin)
    refused = payload(
        await gql.execute(unlock, {"i": {"pin": TEACHER_PIN}}, token=pad), "kioskUnlock"
    )
    assert [e["code"] for e in refused["errors"]] == ["INVALID_PIN"]


async def test_re_pin_gives_a_new_pin_the_staff_member_reads_themselves(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    result = payload(
        await gql.execute(RE_PIN, {"i": {"staffId": str(world.teacher.id)}}, token=admin),
        "rePinStaff",
    )
    assert result["errors"] == []
    teacher = await make.token_for(world.teacher)
    pin = payload(await gql.execute(VIEWER, token=teacher), "viewer")["pin"]
    assert pin != TEACHER_PIN
    assert len(pin) == 6
    entry = await AuditEntry.get(action="staff.repin")
    assert entry.target_id == str(world.teacher.id)
    assert TEACHER_PIN not in str(entry.data)
    assert pin not in str(entry.data)


async def test_send_invitation_supersedes_the_earlier_link(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    admin = await make.token_for(world.admin)
    variables = {"i": {"staffId": str(world.viewer.id)}}
    await gql.execute(SEND_INVITATION, variables, token=admin)
    clock.advance(seconds=1)
    result = payload(
        await gql.execute(SEND_INVITATION, variables, token=admin), "sendStaffInvitation"
    )
    assert result["errors"] == []
    first, second = await links_sent(world.viewer.email)
    assert (
        payload(await set_password(gql, token_of(first)), "setStaffPassword")["errors"][0]["code"]
        == "INVALID_TOKEN"
    )
    assert payload(await set_password(gql, token_of(second)), "setStaffPassword")["token"]
    assert await AuditEntry.filter(action="staff.invite").count() == 2
