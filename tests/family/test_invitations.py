"""Staff invite Parent/Guardian A and B: the online-account column, codes and the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.audit import AuditEntry
from models.family_accounts import Invitation
from models.notifications import Notification
from models.org import ModuleAccess, StaffUser
from models.people import FamilyAdult, GuardianSlot
from tests import factories as make
from tests.clock import FrozenClock
from tests.family.helpers import (
    GUARDIANS,
    INVITE,
    PASSWORD,
    Household,
    data,
    household,
    invite,
    register,
    sent_code,
)
from tests.graphql import GraphQLClient
from tests.world import World


@pytest.fixture
async def home(world: World) -> Household:
    return await household(world)


@pytest.fixture
async def editor(world: World) -> StaffUser:
    editing = await make.role(world.agency, students=ModuleAccess.EDIT)
    return await make.staff(world.agency, role=editing, sites=[world.site])


async def _states(gql: GraphQLClient, token: str, world: World) -> dict[str, dict[str, object]]:
    result = await gql.execute(GUARDIANS, {"site": str(world.site.id)}, token=token)
    return {g["id"]: g["onlineAccount"] for g in data(result)["guardians"]}


async def test_the_invitation_lifecycle_moves_the_online_account_column(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    token = await make.token_for(editor)
    guardian = str(home.guardian_a.id)
    assert (await _states(gql, token, world))[guardian]["state"] == "INVITE"

    [sent] = await invite(gql, token, guardian)
    assert sent["outcome"] == "INVITED"
    assert sent["guardian"]["onlineAccount"] == {"state": "REINVITE", "login": None}
    invited = (await _states(gql, token, world))[guardian]
    assert invited["state"] == "REINVITE"
    assert invited["expiresAt"] is not None

    payload = await register(gql, await sent_code(home.guardian_a), "Maria.Lopez@example.TEST")
    assert payload["errors"] == []
    assert payload["token"]
    registered = (await _states(gql, token, world))[guardian]
    assert registered == {
        "state": "REGISTERED",
        "login": "maria.lopez@example.test",
        "invitedAt": None,
        "expiresAt": None,
    }
    # Contacts are never listed: only Parent/Guardian A and B may hold an account.
    assert str(home.contact.id) not in await _states(gql, token, world)


async def test_the_guardians_list_filters_by_state_and_stays_within_the_staffs_sites(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    token = await make.token_for(editor)
    await invite(gql, token, home.guardian_b.id)
    reinvite = await gql.execute(
        GUARDIANS, {"site": str(world.site.id), "state": "REINVITE"}, token=token
    )
    assert [g["id"] for g in data(reinvite)["guardians"]] == [str(home.guardian_b.id)]
    assert data(reinvite)["guardians"][0]["children"] == [{"firstName": "Ava"}]
    in_room = await gql.execute(
        GUARDIANS, {"site": str(world.site.id), "room": str(world.room.id)}, token=token
    )
    assert len(data(in_room)["guardians"]) == 2

    for site in (world.other_site, world.foreign_site):
        refused = await gql.execute(GUARDIANS, {"site": str(site.id)}, token=token)
        assert refused.codes == ["NOT_FOUND"]
    other_room = await gql.execute(
        GUARDIANS, {"site": str(world.site.id), "room": str(world.other_room.id)}, token=token
    )
    assert other_room.codes == ["NOT_FOUND"]


async def test_the_outbox_gets_the_invitation_in_the_guardians_language_without_the_code(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    token = await make.token_for(editor)
    await invite(gql, token, home.guardian_a.id, home.guardian_b.id)
    by_email = await Notification.get(destination=home.guardian_a.email)
    by_sms = await Notification.get(destination=home.guardian_b.phone)
    assert (by_email.channel, by_email.language) == ("EMAIL", "en")
    assert (by_sms.channel, by_sms.language) == ("SMS", "es")
    invitation = await Invitation.get(adult_id=home.guardian_a.id)
    assert by_email.template == "invitation"
    assert by_email.dedupe_key == f"invitation:{invitation.id}"
    assert by_email.params == {
        "guardian_first_name": home.guardian_a.first_name,
        "agency_name": "Sunny Days",
        "link": "http://localhost:8000/join?lang=en",
    }
    code = await sent_code(home.guardian_a)
    raw = code.replace("-", "")
    stored = str(await Notification.all().values()) + str(await Invitation.all().values())
    audited = str(await AuditEntry.filter(action="family.invite").values())
    assert code not in stored
    assert raw not in stored
    assert code not in audited
    assert raw not in audited
    assert await AuditEntry.filter(action="family.invite").count() == 2


async def test_an_invitation_code_expires_after_14_days(
    gql: GraphQLClient,
    world: World,
    home: Household,
    editor: StaffUser,
    clock: FrozenClock,
) -> None:
    await invite(gql, await make.token_for(editor), home.guardian_a.id, home.guardian_b.id)
    invitation = await Invitation.get(adult_id=home.guardian_a.id)
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)

    sent = clock.now()
    clock.set(sent + timedelta(days=13, hours=23))
    in_time = await register(gql, await sent_code(home.guardian_a), "maria@example.test")
    assert in_time["errors"] == []
    clock.set(sent + timedelta(days=14, seconds=1))
    expired = await register(gql, await sent_code(home.guardian_b), "luis@example.test")
    assert expired["token"] is None
    assert [e["code"] for e in expired["errors"]] == ["INVALID_CREDENTIALS"]
    # Still "invited, not registered": staff send a new one.
    states = await _states(gql, await make.token_for(editor), world)
    assert states[str(home.guardian_b.id)]["state"] == "REINVITE"


async def test_reinviting_supersedes_the_old_code(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    token = await make.token_for(editor)
    await invite(gql, token, home.guardian_a.id)
    first = await sent_code(home.guardian_a)
    gql.clock.advance(minutes=1)
    await invite(gql, token, home.guardian_a.id)
    second = await sent_code(home.guardian_a)
    assert first != second
    assert await Invitation.filter(adult_id=home.guardian_a.id).count() == 2

    old = await register(gql, first, "maria@example.test")
    assert old["token"] is None
    new = await register(gql, second, "maria@example.test")
    assert new["errors"] == []
    # Used once, a code is spent.
    again = await register(gql, second, "other@example.test")
    assert again["token"] is None
    assert again["errors"] == old["errors"]


async def test_a_group_invite_reports_each_guardian(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    token = await make.token_for(editor)
    silent = await FamilyAdult.create(
        family_id=world.kids[1].family_id,
        guardian_slot=GuardianSlot.A,
        first_name="Sol",
        last_name="Quiet",
    )
    registered = await FamilyAdult.create(
        family_id=world.kids[2].family_id,
        guardian_slot=GuardianSlot.A,
        first_name="Reg",
        last_name="Istered",
        email="reg@example.test",
    )
    await invite(gql, token, registered.id)
    assert (await register(gql, await sent_code(registered), "reg@example.test"))["token"]
    foreign_family = await make.family(world.foreign_agency)
    foreign = await FamilyAdult.create(
        family=foreign_family, guardian_slot=GuardianSlot.A, first_name="F", last_name="X"
    )

    results = await invite(
        gql,
        token,
        home.guardian_a.id,
        home.contact.id,
        silent.id,
        registered.id,
        foreign.id,
        "not-an-id",
        "00000000-0000-0000-0000-000000000000",
    )
    outcomes = {r["guardianId"]: r["outcome"] for r in results}
    assert outcomes == {
        str(home.guardian_a.id): "INVITED",
        str(home.contact.id): "NOT_A_GUARDIAN",
        str(silent.id): "NO_CONTACT",
        str(registered.id): "ALREADY_REGISTERED",
        str(foreign.id): "NOT_FOUND",
        "not-an-id": "NOT_FOUND",
        "00000000-0000-0000-0000-000000000000": "NOT_FOUND",
    }
    # A foreign guardian looks exactly like a missing one.
    foreign_result = next(r for r in results if r["guardianId"] == str(foreign.id))
    assert foreign_result["guardian"] is None
    assert "CANARY" not in str(results)
    assert await Invitation.filter(adult_id=home.contact.id).count() == 0
    assert await Invitation.filter(adult_id=foreign.id).count() == 0


async def test_a_capped_destination_is_reported_and_nothing_is_written(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    token = await make.token_for(editor)
    for n in range(10):
        await Notification.create(
            channel="EMAIL",
            destination=home.guardian_a.email,
            language="en",
            template="pin",
            dedupe_key=f"flood:{n}",
            next_attempt_at=gql.clock.now(),
        )
    [result] = await invite(gql, token, home.guardian_a.id)
    assert result["outcome"] == "TOO_MANY_MESSAGES"
    assert result["guardian"]["onlineAccount"]["state"] == "INVITE"
    assert await Invitation.filter(adult_id=home.guardian_a.id).count() == 0
    assert await AuditEntry.filter(action="family.invite").count() == 0


async def test_only_students_editors_invite_and_parents_never(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    variables = {"i": {"guardianIds": [str(home.guardian_a.id)]}}
    for member in (world.teacher, world.students_viewer, world.viewer):
        refused = await gql.execute(INVITE, variables, token=await make.token_for(member))
        assert refused.codes == ["FORBIDDEN"]
    from tests.family.helpers import account_for, parent_token

    parent = await parent_token(await account_for(home.guardian_b))
    assert (await gql.execute(INVITE, variables, token=parent)).codes == ["FORBIDDEN"]
    anonymous = await gql.execute(INVITE, variables)
    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert await Invitation.all().count() == 0
    listed = await gql.execute(GUARDIANS, {"site": str(world.site.id)}, token=parent)
    assert listed.codes == ["FORBIDDEN"]


async def test_an_existing_login_joins_a_second_family_only_with_its_password(
    gql: GraphQLClient, world: World, home: Household, editor: StaffUser
) -> None:
    """The same person invited as guardian A and B of two families joins both."""
    token = await make.token_for(editor)
    await invite(gql, token, home.guardian_a.id)
    first = await register(gql, await sent_code(home.guardian_a), "maria@example.test")
    assert first["token"]
    second_family = await FamilyAdult.create(
        family_id=world.kids[1].family_id,
        guardian_slot=GuardianSlot.B,
        first_name="Maria",
        last_name="Lopez",
        email="maria@example.test",
    )
    await invite(gql, token, second_family.id)
    code = await sent_code(second_family)
    wrong = await register(gql, code, "maria@example.test", password="not the password!")
    assert wrong["token"] is None
    joined = await register(gql, code, "maria@example.test", password=PASSWORD)
    assert joined["errors"] == []
    children = await gql.execute(
        "{ viewer { ... on ParentViewer { children { firstName } } } }", token=joined["token"]
    )
    names = sorted(c["firstName"] for c in data(children)["viewer"]["children"])
    assert names == ["Ava", "Ben"]
