"""Enrolling children in classrooms, ending enrollments and moving children between rooms.

An enrollment puts a child on a classroom's rosters, counts and kiosk lists for the days
from ``starts_on`` to ``ends_on`` (``people.active_enrollments``). Ending one never
deletes anything: the attendance of its days stays where it was recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_staff
from models.attendance import AttendanceEvent
from models.org import Classroom
from models.people import Child, Enrollment
from realtime.bus import EventBus
from services import audit, org, people, programs, roster_events
from services.errors import DomainError, InvalidInput, NotFound


class EnrollmentErrorCode(StrEnum):
    """Rule failures of enrolling, ending an enrollment and moving a child."""

    END_BEFORE_START = "END_BEFORE_START"
    OVERLAPPING_ENROLLMENT = "OVERLAPPING_ENROLLMENT"
    INVALID_WEEKDAYS = "INVALID_WEEKDAYS"
    NOT_ENROLLED = "NOT_ENROLLED"
    SAME_CLASSROOM = "SAME_CLASSROOM"
    ATTENDANCE_AFTER_END = "ATTENDANCE_AFTER_END"
    CLASSROOM_ARCHIVED = "CLASSROOM_ARCHIVED"


def open_classroom(classroom: Classroom) -> Classroom:
    """An archived classroom keeps its history but takes no new children."""
    if classroom.archived_at is not None:
        raise DomainError(
            EnrollmentErrorCode.CLASSROOM_ARCHIVED,
            "This classroom is archived.",
            "classroomId",
        )
    return classroom


# Enrollment dates outside these are typos (and would overflow date arithmetic).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
ISO_WEEKDAYS = frozenset(range(1, 8))


@dataclass(frozen=True)
class NewEnrollment:
    child_id: UUID
    classroom_id: UUID
    starts_on: date
    ends_on: date | None
    # ISO weekdays the child is scheduled for: 1 is Monday, 7 Sunday.
    weekdays: Sequence[int]
    # An agency-defined label (Pre-K, a subsidy program); rosters and counts filter by it.
    program_id: UUID | None = None


def readable_enrollments(principal: Principal) -> QuerySet[Enrollment]:
    """Staff: the enrollments of their agency's children in classrooms of their sites."""
    if is_staff(principal):
        return Enrollment.filter(
            child__agency_id=principal.agency_id,
            classroom__site_id__in=list(principal.site_ids),
        )
    return Enrollment.filter(id__in=[])


async def enrollments_of(principal: Principal, child_ids: Sequence[UUID]) -> list[list[Enrollment]]:
    """Each child's readable enrollments, oldest first, in one query for all of them."""
    grouped: dict[str, list[Enrollment]] = defaultdict(list)
    found = (
        await readable_enrollments(principal)
        .filter(child_id__in=list(child_ids))
        .select_related("classroom__site")
        .order_by("starts_on", "created_at")
    )
    for enrollment in found:
        grouped[str(enrollment.child_id)].append(enrollment)
    return [grouped[str(child_id)] for child_id in child_ids]


def weekday_digits(weekdays: Sequence[int]) -> str:
    """Scheduled weekdays are some of ISO 1 (Monday) to 7 (Sunday), at least one."""
    days = set(weekdays)
    if not days or not days <= ISO_WEEKDAYS:
        raise DomainError(
            EnrollmentErrorCode.INVALID_WEEKDAYS,
            "Weekdays are 1 (Monday) to 7 (Sunday), at least one of them.",
            "weekdays",
        )
    return "".join(str(d) for d in sorted(days))


def _check_day(day: date, field: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"Between {FIRST_DAY} and {LAST_DAY}.", field)


def _check_span(starts_on: date, ends_on: date | None, field: str = "endsOn") -> None:
    """An enrollment ends on or after the day it starts."""
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            EnrollmentErrorCode.END_BEFORE_START,
            f"The enrollment starts on {starts_on}: it cannot end before that.",
            field,
        )


async def _check_no_overlap(
    child_id: UUID | str, starts_on: date, ends_on: date | None, *, field: str
) -> None:
    """A child has at most one enrollment on any day, across every classroom."""
    others = Enrollment.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on), child_id=child_id
    )
    if ends_on is not None:
        others = others.filter(starts_on__lte=ends_on)
    clash = await others.order_by("starts_on").first()
    if clash is not None:
        raise overlap_error(clash, field)


def overlap_error(clash: Enrollment, field: str) -> DomainError:
    """What a caller is told when a new enrollment would share days with ``clash``."""
    until = clash.ends_on.isoformat() if clash.ends_on else "no end date"
    return DomainError(
        EnrollmentErrorCode.OVERLAPPING_ENROLLMENT,
        f"The child is already enrolled from {clash.starts_on} to {until}.",
        field,
    )


def overlapping(
    existing: Sequence[Enrollment], starts_on: date, ends_on: date | None
) -> Enrollment | None:
    """The earliest of ``existing`` sharing a day with the span, as the query above finds."""
    clashes = [
        e
        for e in existing
        if (e.ends_on is None or e.ends_on >= starts_on)
        and (ends_on is None or e.starts_on <= ends_on)
    ]
    return min(clashes, key=lambda e: e.starts_on, default=None)


async def _check_no_attendance_after(enrollment: Enrollment, last_day: date) -> None:
    """Ending an enrollment cannot strand attendance recorded in its room after the end."""
    recorded = AttendanceEvent.filter(
        child_id=enrollment.child_id,
        classroom_id=enrollment.classroom_id,
        local_date__gt=last_day,
    )
    if enrollment.ends_on is not None:
        recorded = recorded.filter(local_date__lte=enrollment.ends_on)
    latest = await recorded.order_by("-local_date").first()
    if latest is not None:
        raise DomainError(
            EnrollmentErrorCode.ATTENDANCE_AFTER_END,
            f"The child has attendance in this classroom on {latest.local_date}.",
            "endsOn",
        )


async def _lock_child(child_id: UUID | str) -> None:
    # Every change to a child's enrollments holds the child's row first, so two requests
    # cannot both find no overlap and then both insert.
    await Child.select_for_update().get(id=child_id)


def snapshot(enrollment: Enrollment) -> dict[str, object]:
    return {
        "enrollment_id": str(enrollment.id),
        "classroom_id": str(enrollment.classroom_id),
        "starts_on": enrollment.starts_on.isoformat(),
        "ends_on": enrollment.ends_on.isoformat() if enrollment.ends_on else None,
        "weekdays": enrollment.weekdays,
        "program_id": str(enrollment.program_id) if enrollment.program_id else None,
    }


def check_dates(
    starts_on: date, ends_on: date | None, fields: tuple[str, str] = ("startsOn", "endsOn")
) -> None:
    """A new enrollment's days are plausible and it ends on or after it starts."""
    _check_day(starts_on, fields[0])
    if ends_on is not None:
        _check_day(ends_on, fields[1])
    _check_span(starts_on, ends_on, fields[1])


async def enroll_child(principal: StaffPrincipal, new: NewEnrollment) -> Enrollment:
    """Enroll a child the caller can read in a classroom of one of the caller's sites."""
    check_dates(new.starts_on, new.ends_on)
    weekdays = weekday_digits(new.weekdays)
    child = await people.get_child(principal, new.child_id)
    classroom = open_classroom(await org.get_classroom(principal, new.classroom_id))
    program = (
        await programs.get_open_program(principal, new.program_id, "programId")
        if new.program_id
        else None
    )
    async with in_transaction():
        await _lock_child(child.id)
        await _check_no_overlap(child.id, new.starts_on, new.ends_on, field="startsOn")
        enrollment = await Enrollment.create(
            child_id=child.id,
            classroom=classroom,
            starts_on=new.starts_on,
            ends_on=new.ends_on,
            weekdays=weekdays,
            program=program,
        )
        await audit.record(
            principal,
            "people.enroll_child",
            agency_id=principal.agency_id,
            target_type="child",
            target_id=child.id,
            data={"before": None, "after": snapshot(enrollment)},
        )
    return enrollment


async def end_enrollment(
    principal: StaffPrincipal, enrollment_id: UUID, ends_on: date
) -> Enrollment:
    """Set the last day of an enrollment; its attendance history stays as recorded."""
    _check_day(ends_on, "endsOn")
    found = (
        await readable_enrollments(principal)
        .filter(id=enrollment_id)
        .select_related("classroom__site")
        .first()
    )
    if found is None:
        raise NotFound("Enrollment")
    async with in_transaction():
        await _lock_child(found.child_id)
        enrollment = await Enrollment.select_for_update().get(id=found.id)
        before = snapshot(enrollment)
        _check_span(enrollment.starts_on, ends_on)
        await _check_no_attendance_after(enrollment, ends_on)
        if enrollment.ends_on is not None and ends_on > enrollment.ends_on:
            # Extending: the added days must not clash with a later enrollment (this one
            # still ends on its old day, so it does not clash with itself).
            await _check_no_overlap(
                enrollment.child_id, enrollment.ends_on + timedelta(days=1), ends_on, field="endsOn"
            )
        enrollment.ends_on = ends_on
        await enrollment.save(update_fields=["ends_on"])
        enrollment.classroom = found.classroom
        await audit.record(
            principal,
            "people.end_enrollment",
            agency_id=principal.agency_id,
            target_type="child",
            target_id=enrollment.child_id,
            data={"before": before, "after": snapshot(enrollment)},
        )
    return enrollment


async def _enrollment_to_leave(
    principal: StaffPrincipal, child: Child, target: Classroom, on: date
) -> Enrollment:
    """The child's enrollment on ``on`` at the caller's sites, locked; it must exist and be
    in another classroom than ``target``."""
    current = (
        await readable_enrollments(principal)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), child_id=child.id)
        .filter(starts_on__lte=on)
        .select_for_update()
        .first()
    )
    if current is None:
        raise DomainError(
            EnrollmentErrorCode.NOT_ENROLLED,
            f"The child has no enrollment at your sites on {on}.",
            "on",
        )
    if str(current.classroom_id) == str(target.id):
        raise DomainError(
            EnrollmentErrorCode.SAME_CLASSROOM,
            "The child is already enrolled in that classroom.",
            "toClassroomId",
        )
    return current


async def move_child(
    principal: StaffPrincipal,
    child_id: UUID,
    to_classroom_id: UUID,
    on: date,
    *,
    bus: EventBus,
    now: datetime,
) -> Enrollment:
    """Move a child to another classroom from ``on``: the current enrollment ends the day
    before and the next starts that day, with the same weekdays and planned end, in one
    transaction. Attendance already recorded on ``on`` (signed in this morning in the old
    room) stays the child's day: rosters read a child's day from the child's records.
    Live rosters and counts of both rooms hear of it after commit."""
    _check_day(on, "on")
    child = await people.get_child(principal, child_id)
    target = open_classroom(await org.get_classroom(principal, to_classroom_id))
    async with in_transaction():
        await _lock_child(child.id)
        current = await _enrollment_to_leave(principal, child, target, on)
        before = snapshot(current)
        planned_end = current.ends_on
        last_day = on - timedelta(days=1)
        _check_span(current.starts_on, last_day, field="on")
        # Records on ``on`` itself move with the child; later ones would be stranded.
        await _check_no_attendance_after(current, on)
        current.ends_on = last_day
        await current.save(update_fields=["ends_on"])
        await _check_no_overlap(child.id, on, planned_end, field="on")
        moved = await Enrollment.create(
            child_id=child.id,
            classroom=target,
            starts_on=on,
            ends_on=planned_end,
            weekdays=current.weekdays,
            # The child keeps their program across rooms.
            program_id=current.program_id,
        )
        await audit.record(
            principal,
            "people.move_child",
            agency_id=principal.agency_id,
            target_type="child",
            target_id=child.id,
            data={"before": before, "after": {"ended": snapshot(current), **snapshot(moved)}},
        )
    left = await Classroom.get(id=current.classroom_id).select_related("site")
    moved.classroom = target
    await roster_events.publish_move(bus, moved, left, now)
    return moved
