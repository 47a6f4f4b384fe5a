from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from models.people import GuardianSlot
from tests import clock as test_clock
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.querycount import count_queries
from tests.world import World

ROSTER = """
query($id: ID!) {
  classroom(id: $id) {
    name
    roster { child { id firstName lastName } status signedInAt signedOutAt absenceReason
             events { kind at actor operator source } }
  }
}
"""
COUNTS = """
query($site: ID!, $room: ID) {
  liveCounts(siteId: $site, classroomId: $room) { enrolled signedIn signedOut absent incomplete }
}
"""
SIGN = """
mutation($in: SignInInput!) { signIn(input: $in) { errors { code } } }
"""
SIGN_OUT = """
mutation($in: SignOutInput!) { signOut(input: $in) { errors { code } } }
"""
ABSENT = """
mutation($in: MarkAbsentInput!) {
  markAbsent(input: $in) { entry { status absenceReason } errors { code field } }
}
"""


async def _day(gql: GraphQLClient, world: World, token: str) -> None:
    """Ava signed in, Ben in and out, Cleo absent."""
    ava, ben, cleo = world.kids
    room = str(world.room.id)
    earlier = (gql.clock.now() - timedelta(minutes=30)).isoformat()
    for kid in (ava, ben):
        r = await gql.execute(
            SIGN,
            {"in": {"childIds": [str(kid.id)], "classroomId": room, "at": earlier}},
            token=token,
        )
        assert r.data["signIn"]["errors"] == []
    r = await gql.execute(
        SIGN_OUT, {"in": {"childIds": [str(ben.id)], "classroomId": room}}, token=token
    )
    assert r.data["signOut"]["errors"] == []
    today = gql.clock.now().astimezone(ZoneInfo(world.site.timezone)).date()
    r = await gql.execute(
        ABSENT,
        {"in": {"childId": str(cleo.id), "date": today.isoformat(), "reason": "Fever"}},
        token=token,
    )
    assert r.data["markAbsent"]["entry"] == {"status": "ABSENT", "absenceReason": "Fever"}


async def test_roster_shows_each_childs_day(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    await _day(gql, world, token)
    result = await gql.execute(ROSTER, {"id": str(world.room.id)}, token=token)
    assert result.errors == []
    by_name = {e["child"]["firstName"]: e for e in result.data["classroom"]["roster"]}
    assert by_name["Ava"]["status"] == "SIGNED_IN"
    assert by_name["Ben"]["status"] == "SIGNED_OUT"
    assert by_name["Ben"]["signedOutAt"] is not None
    assert [e["kind"] for e in by_name["Ben"]["events"]] == ["SIGN_IN", "SIGN_OUT"]
    assert by_name["Cleo"]["status"] == "ABSENT"
    assert by_name["Cleo"]["absenceReason"] == "Fever"


async def test_live_counts_follow_the_day(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    await make.child(world.room, first_name="Dot")
    before = await gql.execute(COUNTS, {"site": str(world.site.id)}, token=token)
    assert before.data["liveCounts"] == {
        "enrolled": 4,
        "signedIn": 0,
        "signedOut": 0,
        "absent": 0,
        "incomplete": 4,
    }
    await _day(gql, world, token)
    after = await gql.execute(
        COUNTS, {"site": str(world.site.id), "room": str(world.room.id)}, token=token
    )
    # Ava in (incomplete), Ben out, Cleo absent, Dot not arrived (incomplete).
    assert after.data["liveCounts"] == {
        "enrolled": 4,
        "signedIn": 1,
        "signedOut": 1,
        "absent": 1,
        "incomplete": 2,
    }


async def test_view_only_staff_read_rosters_and_counts_but_cannot_mark_absent(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.viewer)
    roster = await gql.execute(ROSTER, {"id": str(world.room.id)}, token=token)
    assert roster.errors == []
    assert len(roster.data["classroom"]["roster"]) == 3
    counts = await gql.execute(COUNTS, {"site": str(world.site.id)}, token=token)
    assert counts.data["liveCounts"]["enrolled"] == 3
    today = gql.clock.now().date().isoformat()
    absent = await gql.execute(
        ABSENT, {"in": {"childId": str(world.kids[0].id), "date": today}}, token=token
    )
    assert absent.codes == ["FORBIDDEN"]


async def test_a_role_without_attendance_cannot_read_the_roster(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.students_viewer)
    roster = await gql.execute(ROSTER, {"id": str(world.room.id)}, token=token)
    assert roster.codes == ["FORBIDDEN"]
    assert roster.data["classroom"]["roster"] is None
    counts = await gql.execute(COUNTS, {"site": str(world.site.id)}, token=token)
    assert counts.codes == ["FORBIDDEN"]


async def test_staff_only_see_their_own_sites(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    sites = await gql.execute("{ sites { name classrooms { name } } }", token=token)
    assert sites.data["sites"] == [{"name": "Main Street", "classrooms": [{"name": "Butterflies"}]}]
    other = await gql.execute(ROSTER, {"id": str(world.other_room.id)}, token=token)
    assert other.codes == ["NOT_FOUND"]
    counts = await gql.execute(COUNTS, {"site": str(world.other_site.id)}, token=token)
    assert counts.codes == ["NOT_FOUND"]


async def test_agency_admin_sees_every_site_of_their_agency_only(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    sites = await gql.execute("{ sites { name } }", token=token)
    assert sorted(s["name"] for s in sites.data["sites"]) == ["Main Street", "Riverside"]
    foreign = await gql.execute(ROSTER, {"id": str(world.foreign_room.id)}, token=token)
    missing = await gql.execute(ROSTER, {"id": "not-even-a-uuid"}, token=token)
    assert foreign.codes == missing.codes == ["NOT_FOUND"]
    assert foreign.errors[0]["message"] == missing.errors[0]["message"]


async def test_mark_absent_refuses_a_child_who_attended(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    await _day(gql, world, token)
    today = gql.clock.now().astimezone(ZoneInfo(world.site.timezone)).date()
    attended = await gql.execute(
        ABSENT, {"in": {"childId": str(world.kids[1].id), "date": today.isoformat()}}, token=token
    )
    assert [e["code"] for e in attended.data["markAbsent"]["errors"]] == ["ALREADY_ATTENDED"]
    twice = await gql.execute(
        ABSENT, {"in": {"childId": str(world.kids[2].id), "date": today.isoformat()}}, token=token
    )
    assert [e["code"] for e in twice.data["markAbsent"]["errors"]] == ["ALREADY_ABSENT"]


async def test_roster_of_forty_children_costs_a_constant_number_of_queries(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    principal = await gql.principal_for(token)
    query = """
    query($id: ID!) { classroom(id: $id) { roster {
      child { id firstName dateOfBirth familyAdults { firstName role } }
      status events { kind actor correctsId signedBy signatureId signatureStale needsConfirmation }
    } } }
    """

    async def measure() -> int:
        with count_queries() as statements:
            result = await gql.execute(query, {"id": str(world.room.id)}, principal=principal)
        assert result.errors == []
        return len(statements)

    # One child with a staff entry, so the small roster reads signatures too.
    first = {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}
    r = await gql.execute(SIGN, {"in": first}, principal=principal)
    assert r.data["signIn"]["errors"] == []
    small = await measure()
    for _ in range(37):
        fam = await make.family(world.agency)
        await make.adult(fam, slot=GuardianSlot.A)
        await make.adult(fam, slot=None)
        kid = await make.child(world.room, of=fam)
        r = await gql.execute(
            SIGN,
            {"in": {"childIds": [str(kid.id)], "classroomId": str(world.room.id)}},
            principal=principal,
        )
        assert r.data["signIn"]["errors"] == []
    # Every other child's entries signed by a guardian, one corrected: still no query
    # per child or per signature.
    await _sign_half(world, principal)
    large = await measure()
    assert small == large, (small, large)
    assert large <= 6, large


async def _sign_half(world: World, principal: object) -> None:
    from models.attendance import AttendanceEvent
    from models.people import FamilyAdult
    from models.signatures import SignatureMethod
    from services import corrections, signatures

    events = await AttendanceEvent.filter(classroom_id=world.room.id).order_by("occurred_at")
    for event in events[::2]:
        guardian = await FamilyAdult.filter(
            family__children__id=event.child_id, guardian_slot="A"
        ).first()
        if guardian is None:
            continue
        await signatures.sign(
            guardian,
            [event],
            agency_id=world.agency.id,
            method=SignatureMethod.FAMILY_APP,
            device="test",
            now=test_clock.current().now(),
        )
    corrected = events[0]
    await corrections.correct_time(
        principal,  # type: ignore[arg-type]
        corrected.id,
        corrected.occurred_at - timedelta(seconds=1),
        "Entered late",
        bus=_NullBus(),  # type: ignore[arg-type]
        now=test_clock.current().now(),
        skew=timedelta(seconds=60),
    )


class _NullBus:
    async def publish(self, messages: object) -> None:
        return None
