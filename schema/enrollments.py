"""Enrollments: a child in a classroom for a span of days, on scheduled weekdays."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanEditStudents
from models import people as people_models
from resolvers import enrollments as enrollment_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id
from schema.errors import UserError, code_enum, payload_errors
from schema.org import Classroom
from services import enrollments, programs
from services.enrollments import NewEnrollment

_WEEKDAYS = "ISO weekdays the child is scheduled for: 1 is Monday, 7 Sunday."


@strawberry.type(description="A child in a classroom from startsOn to endsOn (open when null).")
class Enrollment:
    id: strawberry.ID
    child_id: strawberry.ID
    classroom: Classroom
    starts_on: datetime.date
    ends_on: datetime.date | None
    weekdays: list[int] = strawberry.field(description=_WEEKDAYS)
    program_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agency's program label of this enrollment, if any."
    )

    @classmethod
    def from_model(cls, enrollment: people_models.Enrollment) -> Enrollment:
        return cls(
            id=strawberry.ID(str(enrollment.id)),
            child_id=strawberry.ID(str(enrollment.child_id)),
            classroom=Classroom.from_model(enrollment.classroom),
            starts_on=enrollment.starts_on,
            ends_on=enrollment.ends_on,
            weekdays=[int(d) for d in enrollment.weekdays],
            program_id=strawberry.ID(str(enrollment.program_id)) if enrollment.program_id else None,
        )


@strawberry.input
class EnrollChildInput:
    child_id: strawberry.ID
    classroom_id: strawberry.ID
    starts_on: datetime.date
    ends_on: datetime.date | None = strawberry.field(
        default=None, description="The last day enrolled; open-ended when null."
    )
    weekdays: list[int] = strawberry.field(description=_WEEKDAYS)
    program_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the agency's open programs (see `programs`)."
    )

    def to_enrollment(self) -> NewEnrollment:
        return NewEnrollment(
            child_id=object_id(str(self.child_id), "Child"),
            classroom_id=object_id(str(self.classroom_id), "Classroom"),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            weekdays=self.weekdays,
            program_id=object_id(str(self.program_id), "Program") if self.program_id else None,
        )


@strawberry.input
class EndEnrollmentInput:
    enrollment_id: strawberry.ID
    ends_on: datetime.date = strawberry.field(description="The last day the child attends.")


@strawberry.input
class MoveChildInput:
    child_id: strawberry.ID
    to_classroom_id: strawberry.ID
    on: datetime.date = strawberry.field(description="The first day in the new classroom.")


if TYPE_CHECKING:
    EnrollmentErrorCode = StrEnum
else:
    EnrollmentErrorCode = code_enum(
        "EnrollmentErrorCode", enrollments.EnrollmentErrorCode, programs.ProgramsErrorCode.ARCHIVED
    )


@strawberry.type
class EnrollmentError(UserError):
    code: EnrollmentErrorCode


@strawberry.type
class EnrollmentPayload:
    enrollment: Enrollment | None = strawberry.field(
        description="The new or changed enrollment; for moveChild, the new one."
    )
    errors: list[EnrollmentError]

    @classmethod
    def from_outcome(cls, result: Outcome[people_models.Enrollment]) -> EnrollmentPayload:
        return cls(
            enrollment=Enrollment.from_model(result.value) if result.value else None,
            errors=payload_errors(result, EnrollmentError, EnrollmentErrorCode),
        )


@strawberry.type
class EnrollmentMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Enroll a child in a classroom of one of your sites.",
    )
    async def enroll_child(self, info: Info, input: EnrollChildInput) -> EnrollmentPayload:
        result = await enrollment_resolvers.enroll_child(info, input.to_enrollment())
        return EnrollmentPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Set an enrollment's last day. The child leaves rosters, counts and "
        "kiosk lists after it; their attendance history stays.",
    )
    async def end_enrollment(self, info: Info, input: EndEnrollmentInput) -> EnrollmentPayload:
        result = await enrollment_resolvers.end_enrollment(
            info, str(input.enrollment_id), input.ends_on
        )
        return EnrollmentPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="End the child's current enrollment the day before `on` and enroll "
        "them in another classroom from `on`, with the same weekdays and planned end.",
    )
    async def move_child(self, info: Info, input: MoveChildInput) -> EnrollmentPayload:
        result = await enrollment_resolvers.move_child(
            info, str(input.child_id), str(input.to_classroom_id), input.on
        )
        return EnrollmentPayload.from_outcome(result)
