"""Enrolling a child, ending an enrollment: who may, and what is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.attendance import AttendanceEvent
from models.audit import AuditEntry
from models.org import Program
from models.people import Enrollment
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.people.conftest import Callers
from tests.world import World

ENROLL = """
mutation($i: EnrollChildInput!) {
  enrollChild(input: $i) {
    enrollment { id childId classroom { name } startsOn endsOn weekdays }
    errors { code field }
  }
}
"""
END = """
mutation($i: EndEnrollmentInput!) {
  endEnrollment(input: $i) { enrollment { id endsOn } errors { code field } }
}
"""
ENROLLMENTS = """
query($id: ID!) { child(id: $id) { enrollments { classroom { name } startsOn endsOn } } }
"""
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"


async def _unenrolled(gql: GraphQLClient, world: World, callers: Callers) -> str:
    created = await gql.execute(
        """mutation($i: CreateChildInput!) { createChild(input: $i) { child { id } } }""",
        {
            "i": {
                "siteId": str(world.site.id),
                "firstName": "Noor",
                "lastName": "Haddad",
                "dateOfBirth": "2023-01-02",
            }
        },
        token=await make.token_for(callers.editor),
    )
    return str(created.data["createChild"]["child"]["id"])


def _enroll(child_id: str, room_id: object, **fields: Any) -> dict[str, Any]:
    return {
        "i": {
            "childId": child_id,
            "classroomId": str(room_id),
            "startsOn": "2026-03-09",
            "weekdays": [5, 1, 3, 3],
            **fields,
        }
    }


async def test_an_editor_enrolls_a_child_and_it_is_audited(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    child_id = await _unenrolled(gql, world, callers)
    token = await make.token_for(callers.editor)
    result = await gql.execute(ENROLL, _enroll(child_id, world.room.id), token=token)
    assert result.errors == []
    enrollment = result.data["enrollChild"]["enrollment"]
    assert {k: v for k, v in enrollment.items() if k != "id"} == {
        "childId": child_id,
        "classroom": {"name": "Butterflies"},
        "startsOn": "2026-03-09",
        "endsOn": None,
        "weekdays": [1, 3, 5],
    }
    read = await gql.execute(
        ENROLLMENTS, {"id": child_id}, token=await make.token_for(world.students_viewer)
    )
    assert read.data["child"]["enrollments"] == [
        {"classroom": {"name": "Butterflies"}, "startsOn": "2026-03-09", "endsOn": None}
    ]
    entry = await AuditEntry.get(action="people.enroll_child")
    assert entry.target_id == child_id
    assert entry.data["before"] is None
    assert entry.data["after"] == {
        "enrollment_id": enrollment["id"],
        "classroom_id": str(world.room.id),
        "starts_on": "2026-03-09",
        "ends_on": None,
        "weekdays": "135",
        "program_id": None,
    }


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"endsOn": "2026-03-08"}, "END_BEFORE_START", "endsOn"),
        ({"weekdays": []}, "INVALID_WEEKDAYS", "weekdays"),
        ({"weekdays": [0, 1]}, "INVALID_WEEKDAYS", "weekdays"),
        ({"weekdays": [1, 8]}, "INVALID_WEEKDAYS", "weekdays"),
    ],
)
async def test_bad_enrollments_are_refused_with_nothing_written(
    gql: GraphQLClient,
    world: World,
    callers: Callers,
    fields: dict[str, Any],
    code: str,
    field: str,
) -> None:
    child_id = await _unenrolled(gql, world, callers)
    token = await make.token_for(callers.editor)
    result = await gql.execute(ENROLL, _enroll(child_id, world.room.id, **fields), token=token)
    assert result.data["enrollChild"] == {
        "enrollment": None,
        "errors": [{"code": code, "field": field}],
    }
    assert not await Enrollment.exists(child_id=child_id)
    assert not await AuditEntry.exists(action="people.enroll_child")


@pytest.mark.parametrize(
    ("starts", "ends"),
    [("2026-03-09", None), ("2019-01-01", "2020-01-01"), ("2019-01-01", None)],
)
async def test_overlapping_enrollments_of_one_child_are_refused(
    gql: GraphQLClient, world: World, callers: Callers, starts: str, ends: str | None
) -> None:
    # The world's children are enrolled from 2020-01-01, open-ended; this one in another room.
    kid = str(world.kids[0].id)
    other_room = await make.classroom(world.site, "Ladybugs")
    token = await make.token_for(callers.editor)
    variables = _enroll(kid, other_room.id, startsOn=starts, endsOn=ends)
    result = await gql.execute(ENROLL, variables, token=token)
    assert result.data["enrollChild"]["errors"] == [
        {"code": "OVERLAPPING_ENROLLMENT", "field": "startsOn"}
    ]
    assert await Enrollment.filter(child_id=kid).count() == 1


async def test_an_enrollment_after_one_that_ended_is_accepted(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    kid = await make.child(world.room, starts_on=date(2025, 9, 1), ends_on=date(2026, 3, 6))
    token = await make.token_for(callers.editor)
    variables = _enroll(str(kid.id), world.room.id, startsOn="2026-03-07")
    result = await gql.execute(ENROLL, variables, token=token)
    assert result.data["enrollChild"]["errors"] == []


@pytest.mark.parametrize("case", ["other_site_room", "foreign_room", "foreign_child"])
async def test_rooms_and_children_beyond_the_editors_sites_are_not_found(
    gql: GraphQLClient, world: World, callers: Callers, case: str
) -> None:
    child_id = await _unenrolled(gql, world, callers)
    room = {"other_site_room": world.other_room, "foreign_room": world.foreign_room}.get(
        case, world.room
    )
    if case == "foreign_child":
        child_id = str(world.foreign_kid.id)
    count = await Enrollment.all().count()
    result = await gql.execute(
        ENROLL, _enroll(child_id, room.id), token=await make.token_for(callers.editor)
    )
    assert result.codes == ["NOT_FOUND"]
    assert "CANARY" not in str(result.data) + str(result.errors)
    assert await Enrollment.all().count() == count


async def test_view_only_other_site_parents_and_kiosks_cannot_enroll(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    child_id = await _unenrolled(gql, world, callers)
    variables = _enroll(child_id, world.room.id)
    viewer = await gql.execute(ENROLL, variables, token=await make.token_for(world.students_viewer))
    assert viewer.codes == ["FORBIDDEN"]
    other = await gql.execute(
        ENROLL, variables, token=await make.token_for(callers.other_site_editor)
    )
    assert other.codes == ["NOT_FOUND"]
    for principal in (callers.parent, callers.kiosk):
        assert (await gql.execute(ENROLL, variables, principal=principal)).codes == ["FORBIDDEN"]
    assert not await Enrollment.exists(child_id=child_id)


async def _enrollment_of(world: World, index: int = 0) -> Enrollment:
    return await Enrollment.get(child_id=world.kids[index].id)


async def test_an_editor_ends_an_enrollment_and_the_audit_keeps_both(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    enrollment = await _enrollment_of(world)
    token = await make.token_for(callers.editor)
    variables = {"i": {"enrollmentId": str(enrollment.id), "endsOn": "2026-03-31"}}
    result = await gql.execute(END, variables, token=token)
    assert result.data["endEnrollment"] == {
        "enrollment": {"id": str(enrollment.id), "endsOn": "2026-03-31"},
        "errors": [],
    }
    entry = await AuditEntry.get(action="people.end_enrollment")
    assert entry.data["before"]["ends_on"] is None
    assert entry.data["after"]["ends_on"] == "2026-03-31"
    assert entry.actor_id == str(callers.editor.id)


async def test_an_enrollment_cannot_end_before_it_starts_nor_strand_attendance(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    enrollment = await _enrollment_of(world)
    signed = await gql.execute(
        SIGN_IN,
        {"i": {"childIds": [str(world.kids[0].id)], "classroomId": str(world.room.id)}},
        token=await make.token_for(world.teacher),
    )
    assert signed.data["signIn"]["errors"] == []
    token = await make.token_for(callers.editor)
    for ends_on, code in [
        ("2019-12-31", "END_BEFORE_START"),
        ("2026-03-03", "ATTENDANCE_AFTER_END"),
    ]:
        variables = {"i": {"enrollmentId": str(enrollment.id), "endsOn": ends_on}}
        result = await gql.execute(END, variables, token=token)
        assert result.data["endEnrollment"]["errors"] == [{"code": code, "field": "endsOn"}]
    assert (await Enrollment.get(id=enrollment.id)).ends_on is None
    assert not await AuditEntry.exists(action="people.end_enrollment")
    # Ending on the day of the attendance keeps it on that day's roster: allowed.
    variables = {"i": {"enrollmentId": str(enrollment.id), "endsOn": "2026-03-04"}}
    assert (await gql.execute(END, variables, token=token)).data["endEnrollment"]["errors"] == []
    assert await AttendanceEvent.filter(child_id=world.kids[0].id).count() == 1


async def test_extending_an_enrollment_into_the_next_one_is_refused(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    kid = await make.child(world.room, starts_on=date(2025, 9, 1), ends_on=date(2026, 3, 6))
    later = await Enrollment.create(child=kid, classroom=world.room, starts_on=date(2026, 4, 1))
    first = await Enrollment.get(child_id=kid.id, starts_on=date(2025, 9, 1))
    token = await make.token_for(callers.editor)
    variables = {"i": {"enrollmentId": str(first.id), "endsOn": "2026-04-01"}}
    result = await gql.execute(END, variables, token=token)
    assert result.data["endEnrollment"]["errors"] == [
        {"code": "OVERLAPPING_ENROLLMENT", "field": "endsOn"}
    ]
    variables = {"i": {"enrollmentId": str(first.id), "endsOn": "2026-03-31"}}
    assert (await gql.execute(END, variables, token=token)).data["endEnrollment"]["errors"] == []
    assert (await Enrollment.get(id=later.id)).starts_on == date(2026, 4, 1)


async def test_ending_is_refused_to_view_only_other_site_other_agency_parents_and_kiosks(
    gql: GraphQLClient, world: World, callers: Callers
) -> None:
    own = await _enrollment_of(world)
    foreign = await Enrollment.get(child_id=world.foreign_kid.id)
    variables = {"i": {"enrollmentId": str(own.id), "endsOn": "2026-03-31"}}
    viewer = await gql.execute(END, variables, token=await make.token_for(world.students_viewer))
    assert viewer.codes == ["FORBIDDEN"]
    other = await gql.execute(END, variables, token=await make.token_for(callers.other_site_editor))
    assert other.codes == ["NOT_FOUND"]
    for principal in (callers.parent, callers.kiosk):
        assert (await gql.execute(END, variables, principal=principal)).codes == ["FORBIDDEN"]
    foreign_vars = {"i": {"enrollmentId": str(foreign.id), "endsOn": "2026-03-31"}}
    result = await gql.execute(END, foreign_vars, token=await make.token_for(world.admin))
    assert result.codes == ["NOT_FOUND"]
    assert "CANARY" not in str(result.data) + str(result.errors)
    assert await Enrollment.filter(ends_on__isnull=False).count() == 0


async def test_an_archived_classroom_takes_no_new_children(
    gql: GraphQLClient, world: World, callers: Callers, clock: FrozenClock
) -> None:
    kid = await _unenrolled(gql, world, callers)
    closed = await make.classroom(world.site, "Old annex")
    closed.archived_at = clock.now()
    await closed.save(update_fields=["archived_at"])

    result = await gql.execute(
        ENROLL, _enroll(kid, closed.id), token=await make.token_for(callers.editor)
    )

    assert result.data["enrollChild"]["errors"] == [
        {"code": "CLASSROOM_ARCHIVED", "field": "classroomId"}
    ]
    assert await Enrollment.filter(child_id=kid).count() == 0


async def test_an_enrollment_carries_an_open_program_of_the_agency(
    gql: GraphQLClient, world: World, callers: Callers, clock: FrozenClock
) -> None:
    kid = await _unenrolled(gql, world, callers)
    room = await make.classroom(world.site, "Pre-K room")
    pre_k = await Program.create(agency=world.agency, name="Pre-K")
    retired = await Program.create(agency=world.agency, name="Old grant", archived_at=clock.now())
    foreign = await Program.create(agency=world.foreign_agency, name="Theirs")
    token = await make.token_for(callers.editor)

    refused = await gql.execute(
        ENROLL, _enroll(kid, room.id, programId=str(retired.id)), token=token
    )
    assert refused.data["enrollChild"]["errors"] == [{"code": "ARCHIVED", "field": "programId"}]
    unknown = await gql.execute(
        ENROLL, _enroll(kid, room.id, programId=str(foreign.id)), token=token
    )
    assert unknown.codes == ["NOT_FOUND"]
    assert await Enrollment.filter(child_id=kid).count() == 0

    enrolled = await gql.execute(
        ENROLL, _enroll(kid, room.id, programId=str(pre_k.id)), token=token
    )

    assert enrolled.data["enrollChild"]["errors"] == []
    stored = await Enrollment.get(child_id=kid)
    assert str(stored.program_id) == str(pre_k.id)
    audit = await AuditEntry.get(action="people.enroll_child", target_id=kid)
    assert audit.data["after"]["program_id"] == str(pre_k.id)
