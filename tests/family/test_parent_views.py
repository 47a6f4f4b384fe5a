"""What a signed-in parent reads and reports, and everything they may not reach."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
import strawberry
from strawberry.permission import BasePermission

from auth.permissions import AllowAnyone, IsAuthenticated
from auth.principals import ParentPrincipal
from models.attendance import AttendanceEvent
from models.audit import AuditEntry
from models.people import FamilyAdult, GuardianSlot
from services import org
from tests import clock as test_clock
from tests import factories as make
from tests.clock import DEFAULT_INSTANT
from tests.family.helpers import (
    CHILDREN,
    REPORT_ABSENCE,
    Household,
    account_for,
    data,
    household,
    parent_token,
)
from tests.graphql import GraphQLClient
from tests.world import World

HISTORY = """
query($from: Date!, $to: Date!) { viewer { ... on ParentViewer { children {
  firstName history(from: $from, to: $to) { date status signedInAt signedOutAt absenceReason }
} } } }
"""
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"


@pytest.fixture
async def home(world: World) -> Household:
    return await household(world)


@pytest.fixture
async def parent(world: World, home: Household) -> str:
    return await parent_token(await account_for(home.guardian_a))


def _today(world: World) -> date:
    return org.local_date(world.site, test_clock.current().now())


async def test_a_parent_sees_only_their_own_children_and_their_day(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    staff = await make.token_for(world.teacher)
    room = {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}
    assert data(await gql.execute(SIGN_IN, {"i": room}, token=staff))["signIn"]["errors"] == []

    viewer = data(await gql.execute(CHILDREN, token=parent))["viewer"]
    [ava] = viewer["children"]
    assert (ava["firstName"], ava["id"]) == ("Ava", str(world.kids[0].id))
    assert ava["today"]["status"] == "SIGNED_IN"
    assert ava["today"]["signedInAt"] is not None
    assert ava["today"]["date"] == _today(world).isoformat()
    text = str(viewer)
    assert "Ben" not in text
    assert "Cleo" not in text
    assert "CANARY" not in text


async def test_history_lists_the_days_with_a_record(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    staff = await make.token_for(world.teacher)
    room = {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}
    await gql.execute(SIGN_IN, {"i": room}, token=staff)
    await gql.execute(SIGN_OUT, {"i": room}, token=staff)
    tomorrow = _today(world) + timedelta(days=1)
    reported = await gql.execute(
        REPORT_ABSENCE,
        {"i": {"childId": str(world.kids[0].id), "date": tomorrow.isoformat(), "reason": "Fever"}},
        token=parent,
    )
    assert data(reported)["reportAbsence"]["errors"] == []

    span = {"from": (_today(world) - timedelta(days=7)).isoformat(), "to": tomorrow.isoformat()}
    days = data(await gql.execute(HISTORY, span, token=parent))["viewer"]["children"][0]["history"]
    assert [(d["date"], d["status"]) for d in days] == [
        (_today(world).isoformat(), "SIGNED_OUT"),
        (tomorrow.isoformat(), "ABSENT"),
    ]
    assert days[1]["absenceReason"] == "Fever"
    too_long = {"from": "2026-01-01", "to": "2026-12-31"}
    assert (await gql.execute(HISTORY, too_long, token=parent)).codes == ["BAD_USER_INPUT"]


async def test_staff_only_fields_are_forbidden_to_parents(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    for field in ("stateSubsidyId", "dateOfBirth", "middleName", "familyAdults { firstName }"):
        query = "{ viewer { ... on ParentViewer { children { firstName %s } } } }" % field
        result = await gql.execute(query, token=parent)
        assert result.codes == ["FORBIDDEN"], field
        # One denied field nulls only itself: the rest of the child still arrives.
        assert data_children(result)[0]["firstName"] == "Ava"


def data_children(result: Any) -> list[dict[str, Any]]:
    children: list[dict[str, Any]] = result.data["viewer"]["children"]
    return children


async def test_staff_cannot_read_a_childs_family_view(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.admin)
    query = '{ child(id: "%s") { firstName today { status } } }' % world.kids[0].id
    result = await gql.execute(query, token=token)
    assert result.codes == ["FORBIDDEN"]


STAFF_OPERATIONS = {
    "classroom": '{ classroom(id: "%(room)s") { name } }',
    "liveCounts": '{ liveCounts(siteId: "%(site)s") { enrolled } }',
    "child": '{ child(id: "%(kid)s") { firstName } }',
    "children": '{ children(classroomId: "%(room)s") { firstName } }',
    "guardians": '{ guardians(siteId: "%(site)s") { id } }',
    "kiosk": "{ kiosk { name } }",
    "markAbsent": 'mutation { markAbsent(input: {childId: "%(kid)s", date: "2026-01-05"}) '
    "{ errors { code } } }",
    "updateChild": 'mutation { updateChild(input: {childId: "%(kid)s", firstName: "X"}) '
    "{ errors { code } } }",
    "revealPins": 'mutation { revealPins(input: {adultIds: ["%(adult)s"]}) { results { pin } } }',
    "inviteGuardians": 'mutation { inviteGuardians(input: {guardianIds: ["%(adult)s"]}) '
    "{ errors { code } } }",
    "pairKiosk": 'mutation { pairKiosk(input: {siteId: "%(site)s", name: "x"}) { deviceToken } }',
    "kioskIdentify": 'mutation { kioskIdentify(input: {pin: "%(pin)s"}) { __typename } }',
}


@pytest.mark.parametrize("name", sorted(STAFF_OPERATIONS))
async def test_staff_and_kiosk_operations_refuse_parents(
    gql: GraphQLClient, world: World, home: Household, parent: str, name: str
) -> None:
    values = {
        "room": world.room.id,
        "site": world.site.id,
        "kid": world.kids[0].id,
        "adult": home.guardian_a.id,
        "pin": home.pin_a,
    }
    result = await gql.execute(STAFF_OPERATIONS[name] % values, token=parent)
    assert result.codes == ["FORBIDDEN"], result.errors
    assert await AttendanceEvent.all().count() == 0
    assert "Ava" not in str(result.data)


async def test_sites_are_empty_for_parents(gql: GraphQLClient, parent: str) -> None:
    assert data(await gql.execute("{ sites { name } }", token=parent)) == {"sites": []}


def test_only_the_family_and_public_root_fields_admit_a_parent(schema: strawberry.Schema) -> None:
    parent = ParentPrincipal(
        session_id=uuid4(),
        account_id=uuid4(),
        login="p@example.test",
        adult_ids=frozenset({uuid4()}),
        family_ids=frozenset({uuid4()}),
        agency_ids=frozenset({uuid4()}),
        expires_at=DEFAULT_INSTANT,
    )
    admitted = set()
    for root in ("Query", "Mutation", "Subscription"):
        definition = schema._schema.type_map[root].extensions["strawberry-definition"]
        for field in definition.fields:
            if all(_admits(p(), parent) for p in field.permission_classes):
                admitted.add(f"{root}.{schema.config.name_converter.get_graphql_name(field)}")
    assert admitted == {
        "Query.viewer",
        "Query.sites",
        "Mutation.staffLogin",
        "Mutation.logout",
        "Mutation.familyLogin",
        "Mutation.registerFamilyAccount",
        "Mutation.requestPasswordReset",
        "Mutation.resetPassword",
        "Mutation.addConnection",
        "Mutation.reportAbsence",
        # Their own children's staff entries only (tests/confirmations/test_parents.py).
        "Mutation.confirmAttendance",
        # At the door only: the service requires the site's contactless code
        # (tests/kiosk/test_phone_sign_in.py).
        "Mutation.signIn",
        "Mutation.signOut",
        # Open to whoever holds a submission link: the link's token is the credential
        # (tests/submissions/test_link.py).
        "Query.attendanceSubmission",
        "Mutation.requestSubmissionCode",
        "Mutation.verifySubmissionCode",
        "Mutation.signAttendanceSubmission",
        # Their own guardian record and their own family's contacts only
        # (tests/people/test_my_family.py).
        "Mutation.updateMyContact",
        "Mutation.addFamilyContact",
        "Mutation.updateFamilyContact",
        "Mutation.removeFamilyContact",
        # The public application form: anyone may apply (tests/waitlist/test_submit.py).
        "Query.applicationForm",
        "Mutation.submitApplication",
        # Only the applications linked to their account (tests/waitlist/test_family_view.py).
        "Query.myApplications",
        "Mutation.updateMyApplication",
        "Mutation.withdrawMyApplication",
        "Mutation.answerApplicationOffer",
        # Public staff entry points: a set-password link's token is the credential, and a
        # reset request says nothing (tests/staff/test_passwords.py).
        "Mutation.setStaffPassword",
        "Mutation.requestStaffPasswordReset",
        # Their own families' conversations and their classrooms' announcements only
        # (tests/messaging/test_isolation.py).
        "Query.conversations",
        "Query.conversation",
        "Mutation.openConversation",
        "Mutation.sendMessage",
        "Mutation.markConversationRead",
        "Subscription.messageReceived",
        # Their own families' documents, both ways, and the moments shared with them
        # (tests/files/test_isolation.py); a document they submitted, they may delete.
        "Query.familyDocuments",
        "Mutation.addFamilyDocument",
        "Mutation.deleteFamilyDocument",
        "Query.momentFeed",
        # Their own children's monthly attendance (tests/reports/test_report_access.py).
        "Mutation.attendanceReport",
    }


def _admits(permission: BasePermission, principal: ParentPrincipal) -> bool:
    if isinstance(permission, AllowAnyone | IsAuthenticated):
        return True
    allows = getattr(permission, "allows", None)
    assert allows is not None, f"{type(permission).__name__}: unknown permission shape"
    return bool(allows(principal))


# --- reporting an absence ------------------------------------------------------------------


async def test_a_parent_reports_their_child_absent_and_live_rosters_hear_of_it(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    today = _today(world)
    variables = {
        "i": {"childId": str(world.kids[0].id), "date": today.isoformat(), "reason": " Flu "}
    }
    result = await gql.execute(REPORT_ABSENCE, variables, token=parent)
    assert data(result)["reportAbsence"] == {
        "day": {"date": today.isoformat(), "status": "ABSENT", "absenceReason": "Flu"},
        "errors": [],
    }
    event = await AttendanceEvent.get()
    assert (event.kind, event.actor_kind, event.source) == ("ABSENT", "GUARDIAN", "FAMILY_APP")
    assert str(event.actor_adult_id) == str(home.guardian_a.id)
    assert event.actor_name == home.guardian_a.display_name
    audit = await AuditEntry.get(action="attendance.absent")
    assert (audit.actor_kind, audit.actor_id) == ("GUARDIAN", str(home.guardian_a.id))
    channels = [channel for channel, _ in gql.broadcast.published]
    assert channels == [f"classroom:{world.room.id}", f"site:{world.site.id}:counts"]
    assert gql.broadcast.published[0][1]["status"] == "ABSENT"

    staff_view = await gql.execute(
        '{ classroom(id: "%s") { roster { child { firstName } status absenceReason } } }'
        % world.room.id,
        token=await make.token_for(world.teacher),
    )
    ava = next(
        r for r in data(staff_view)["classroom"]["roster"] if r["child"]["firstName"] == "Ava"
    )
    assert (ava["status"], ava["absenceReason"]) == ("ABSENT", "Flu")

    again = await gql.execute(REPORT_ABSENCE, variables, token=parent)
    assert data(again)["reportAbsence"]["errors"] == [{"code": "ALREADY_ABSENT", "field": "date"}]


async def test_a_parent_cannot_report_another_familys_child(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    today = _today(world).isoformat()
    for child_id in (world.kids[1].id, world.foreign_kid.id, uuid4(), "nonsense"):
        result = await gql.execute(
            REPORT_ABSENCE, {"i": {"childId": str(child_id), "date": today}}, token=parent
        )
        assert result.codes == ["NOT_FOUND"]
        assert result.errors[0]["message"] == "Child not found."
    assert await AttendanceEvent.all().count() == 0


async def test_a_contact_linked_by_mistake_gives_no_access(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    """Access follows Parent/Guardian A and B: a guardian made a contact loses it."""
    token = await parent_token(await account_for(home.guardian_b))
    await FamilyAdult.filter(id=home.guardian_b.id).update(guardian_slot=None)
    assert data(await gql.execute(CHILDREN, token=token))["viewer"]["children"] == []
    await FamilyAdult.filter(id=home.guardian_b.id).update(guardian_slot=GuardianSlot.B)
    assert len(data(await gql.execute(CHILDREN, token=token))["viewer"]["children"]) == 1


async def test_past_days_follow_the_sites_lock(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    yesterday = (_today(world) - timedelta(days=1)).isoformat()
    variables = {"i": {"childId": str(world.kids[0].id), "date": yesterday}}
    locked = await gql.execute(REPORT_ABSENCE, variables, token=parent)
    assert data(locked)["reportAbsence"]["errors"] == [{"code": "PAST_DAY_LOCKED", "field": "date"}]
    await world.site.update_from_dict({"allow_past_day_edits": True}).save()
    allowed = await gql.execute(REPORT_ABSENCE, variables, token=parent)
    assert data(allowed)["reportAbsence"]["errors"] == []

    far = (_today(world) + timedelta(days=200)).isoformat()
    ahead = await gql.execute(
        REPORT_ABSENCE, {"i": {"childId": str(world.kids[0].id), "date": far}}, token=parent
    )
    assert data(ahead)["reportAbsence"]["errors"] == [{"code": "TOO_FAR_AHEAD", "field": "date"}]


async def test_a_child_who_attended_cannot_be_reported_absent(
    gql: GraphQLClient, world: World, home: Household, parent: str
) -> None:
    room = {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}
    await gql.execute(SIGN_IN, {"i": room}, token=await make.token_for(world.teacher))
    result = await gql.execute(
        REPORT_ABSENCE,
        {"i": {"childId": str(world.kids[0].id), "date": _today(world).isoformat()}},
        token=parent,
    )
    assert data(result)["reportAbsence"]["errors"] == [
        {"code": "ALREADY_ATTENDED", "field": "date"}
    ]


async def test_staff_and_kiosks_cannot_report_as_a_parent(
    gql: GraphQLClient, world: World, home: Household
) -> None:
    variables = {"i": {"childId": str(world.kids[0].id), "date": _today(world).isoformat()}}
    staff = await gql.execute(REPORT_ABSENCE, variables, token=await make.token_for(world.admin))
    assert staff.codes == ["FORBIDDEN"]
    _, device = await make.kiosk(world.site, paired_by=world.admin)
    assert (await gql.execute(REPORT_ABSENCE, variables, token=device)).codes == ["FORBIDDEN"]
    assert (await gql.execute(REPORT_ABSENCE, variables)).codes == ["UNAUTHENTICATED"]
