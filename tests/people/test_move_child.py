"""Moving a child to another classroom: one enrollment ends, the next starts, no day lost."""

from __future__ import annotations

from datetime import date
from typing import Any

from models.audit import AuditEntry
from models.org import Classroom, Program
from models.people import Enrollment
from realtime import channels
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.people.conftest import Callers
from tests.world import World

MOVE = """
mutation($i: MoveChildInput!) {
  moveChild(input: $i) {
    enrollment { classroom { name } startsOn endsOn weekdays }
    errors { code field }
  }
}
"""
ROSTER = """
query($id: ID!, $on: Date) {
  classroom(id: $id) { roster(date: $on) { child { firstName } status } }
}
"""
COUNTS = "query($site: ID!) { liveCounts(siteId: $site) { enrolled signedIn signedOut } }"
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = """
mutation($i: SignOutInput!) { signOut(input: $i) { entries { status } errors { code } } }
"""


def _move(world: World, to: Classroom, on: str = "2026-03-04", index: int = 0) -> dict[str, Any]:
    child = str(world.kids[index].id)
    return {"i": {"childId": child, "toClassroomId": str(to.id), "on": on}}


async def _roster(gql: GraphQLClient, token: str, room: Classroom, on: str | None = None) -> Any:
    result = await gql.execute(ROSTER, {"id": str(room.id), "on": on}, token=token)
    assert result.errors == []
    return {r["child"]["firstName"]: r["status"] for r in result.data["classroom"]["roster"]}


async def test_a_child_signed_in_this_morning_moves_rooms_without_losing_the_day(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    ladybugs = await make.classroom(world.site, "Ladybugs")
    teacher = await make.token_for(world.teacher)
    ava = {"childIds": [str(world.kids[0].id)]}
    signed = await gql.execute(
        SIGN_IN, {"i": {**ava, "classroomId": str(world.room.id)}}, token=teacher
    )
    assert signed.data["signIn"]["errors"] == []

    moved = await gql.execute(
        MOVE, _move(world, ladybugs), token=await make.token_for(callers.editor)
    )
    assert moved.data["moveChild"] == {
        "enrollment": {
            "classroom": {"name": "Ladybugs"},
            "startsOn": "2026-03-04",
            "endsOn": None,
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
        },
        "errors": [],
    }
    # Today Ava is on the new room's roster, still signed in; yesterday stays in the old one.
    assert await _roster(gql, teacher, ladybugs) == {"Ava": "SIGNED_IN"}
    assert "Ava" not in await _roster(gql, teacher, world.room)
    assert "Ava" in await _roster(gql, teacher, world.room, "2026-03-03")
    counts = await gql.execute(COUNTS, {"site": str(world.site.id)}, token=teacher)
    assert counts.data["liveCounts"] == {"enrolled": 3, "signedIn": 1, "signedOut": 0}

    # The new room's staff sign her out; the session opened in the old room closes.
    out = await gql.execute(
        SIGN_OUT, {"i": {**ava, "classroomId": str(ladybugs.id)}}, token=teacher
    )
    assert out.data["signOut"] == {"entries": [{"status": "SIGNED_OUT"}], "errors": []}
    assert await _roster(gql, teacher, ladybugs) == {"Ava": "SIGNED_OUT"}
    # Live views of the new room heard of the move (her day, signed in), then the sign-out;
    # the old room's heard that she left it.
    published = [
        (m["status"], m["on_roster"])
        for c, m in gql.broadcast.published
        if c == channels.classroom_roster(ladybugs.id)
    ]
    assert published == [("SIGNED_IN", True), ("SIGNED_OUT", True)]
    left = [m for c, m in gql.broadcast.published if c == channels.classroom_roster(world.room.id)]
    assert [(m["child_id"], m["on_roster"]) for m in left][-1] == (str(world.kids[0].id), False)

    old, new = await Enrollment.filter(child_id=world.kids[0].id).order_by("starts_on")
    assert (old.ends_on, new.starts_on) == (date(2026, 3, 3), date(2026, 3, 4))
    entry = await AuditEntry.get(action="people.move_child")
    assert entry.data["before"]["ends_on"] is None
    assert entry.data["after"]["ended"]["ends_on"] == "2026-03-03"
    assert entry.data["after"]["classroom_id"] == str(ladybugs.id)


async def test_a_planned_end_and_weekdays_carry_over_to_the_new_room(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    kid = await make.child(world.room, ends_on=date(2026, 6, 30), weekdays="246")
    ladybugs = await make.classroom(world.site, "Ladybugs")
    variables = {
        "i": {"childId": str(kid.id), "toClassroomId": str(ladybugs.id), "on": "2026-04-01"}
    }
    result = await gql.execute(MOVE, variables, token=await make.token_for(callers.editor))
    assert result.data["moveChild"]["enrollment"] == {
        "classroom": {"name": "Ladybugs"},
        "startsOn": "2026-04-01",
        "endsOn": "2026-06-30",
        "weekdays": [2, 4, 6],
    }
    # A move planned for a later day changes no roster of today: nothing is published.
    assert gql.broadcast.published == []


async def test_moves_that_make_no_sense_are_refused_with_nothing_written(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    token = await make.token_for(callers.editor)
    ladybugs = await make.classroom(world.site, "Ladybugs")
    late = await make.child(world.room, starts_on=date(2026, 3, 10))
    cases = [
        (_move(world, world.room), "SAME_CLASSROOM", "toClassroomId"),
        (_move(world, ladybugs, on="2019-06-01"), "NOT_ENROLLED", "on"),
        (
            {"i": {"childId": str(late.id), "toClassroomId": str(ladybugs.id), "on": "2026-03-10"}},
            "END_BEFORE_START",
            "on",
        ),
    ]
    for variables, code, field in cases:
        result = await gql.execute(MOVE, variables, token=token)
        assert result.data["moveChild"]["errors"] == [{"code": code, "field": field}], code
    # Attendance in the old room after the move's first day would be stranded there.
    await gql.execute(
        SIGN_IN,
        {"i": {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}},
        token=await make.token_for(world.teacher),
    )
    result = await gql.execute(MOVE, _move(world, ladybugs, on="2026-03-01"), token=token)
    assert result.data["moveChild"]["errors"] == [
        {"code": "ATTENDANCE_AFTER_END", "field": "endsOn"}
    ]
    assert await Enrollment.filter(ends_on__isnull=False).count() == 0
    assert await Enrollment.filter(classroom_id=ladybugs.id).count() == 0
    assert not await AuditEntry.exists(action="people.move_child")


async def test_moves_are_refused_to_other_sites_agencies_view_only_parents_and_kiosks(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    ladybugs = await make.classroom(world.site, "Ladybugs")
    variables = _move(world, ladybugs)
    viewer = await gql.execute(MOVE, variables, token=await make.token_for(world.students_viewer))
    assert viewer.codes == ["FORBIDDEN"]
    other = await gql.execute(
        MOVE, variables, token=await make.token_for(callers.other_site_editor)
    )
    assert other.codes == ["NOT_FOUND"]
    for principal in (callers.parent, callers.kiosk):
        assert (await gql.execute(MOVE, variables, principal=principal)).codes == ["FORBIDDEN"]
    editor = await make.token_for(callers.editor)
    for room in (world.other_room, world.foreign_room):
        result = await gql.execute(MOVE, _move(world, room), token=editor)
        assert result.codes == ["NOT_FOUND"]
        assert "CANARY" not in str(result.data) + str(result.errors)
    assert await Enrollment.filter(ends_on__isnull=False).count() == 0


async def test_a_child_keeps_their_program_in_the_new_room(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    pre_k = await Program.create(agency=world.agency, name="Pre-K")
    await Enrollment.filter(child_id=world.kids[0].id).update(program_id=pre_k.id)
    ladybugs = await make.classroom(world.site, "Ladybugs")

    moved = await gql.execute(
        MOVE, _move(world, ladybugs), token=await make.token_for(callers.editor)
    )

    assert moved.data["moveChild"]["errors"] == []
    new = await Enrollment.get(child_id=world.kids[0].id, classroom_id=ladybugs.id)
    assert str(new.program_id) == str(pre_k.id)
