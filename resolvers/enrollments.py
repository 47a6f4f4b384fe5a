from __future__ import annotations

from datetime import date

from models.people import Enrollment
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import enrollments


async def enroll_child(info: Info, new: enrollments.NewEnrollment) -> Outcome[Enrollment]:
    return await outcome(enrollments.enroll_child(info.context.staff, new))


async def end_enrollment(info: Info, enrollment_id: str, ends_on: date) -> Outcome[Enrollment]:
    enrollment = object_id(enrollment_id, "Enrollment")
    return await outcome(enrollments.end_enrollment(info.context.staff, enrollment, ends_on))


async def move_child(
    info: Info, child_id: str, to_classroom_id: str, on: date
) -> Outcome[Enrollment]:
    child = object_id(child_id, "Child")
    room = object_id(to_classroom_id, "Classroom")
    ctx = info.context
    return await outcome(
        enrollments.move_child(ctx.staff, child, room, on, bus=ctx.bus, now=ctx.now())
    )
