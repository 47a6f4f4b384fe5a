"""Children and their records, scoped to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_parent, is_staff
from models.people import Child, Enrollment
from services import audit, org
from services.errors import DomainError, InvalidInput, NotFound


class PeopleErrorCode(StrEnum):
    """Rule failures of editing children."""

    IMPLAUSIBLE_DATE_OF_BIRTH = "IMPLAUSIBLE_DATE_OF_BIRTH"


MAX_NAME_LENGTH = 100
MAX_SUBSIDY_ID_LENGTH = 64


def readable_children(principal: Principal) -> QuerySet[Child]:
    """The children the caller may read: every read of a child starts here.

    Staff: the children of their agency enrolled (at any time) at the sites they work at.
    Parents: the children of the families of the guardians they are linked to, at each
    agency they are connected to. Kiosks and anyone signed out: none (the PIN pad finds
    its children through a typed PIN, under its own rules).
    """
    if is_staff(principal):
        return Child.filter(
            agency_id=principal.agency_id,
            enrollments__classroom__site_id__in=list(principal.site_ids),
        ).distinct()
    if is_parent(principal):
        return Child.filter(
            family_id__in=list(principal.family_ids), agency_id__in=list(principal.agency_ids)
        )
    return Child.filter(id__in=[])


async def get_child(principal: Principal, child_id: UUID) -> Child:
    child = await readable_children(principal).get_or_none(id=child_id)
    if child is None:
        raise NotFound("Child")
    return child


async def enrolled_children(
    principal: Principal, classroom_id: UUID, on: date | None, now: datetime
) -> list[Child]:
    """The children enrolled in a classroom on a day (default: the site's local today)."""
    classroom = await org.get_classroom(principal, classroom_id)
    day = on or org.local_date(classroom.site, now)
    enrollments = await active_enrollments(day).filter(classroom_id=classroom.id)
    return (
        await readable_children(principal)
        .filter(id__in=[e.child_id for e in enrollments])
        .order_by("last_name", "first_name")
    )


def active_enrollments(on: date) -> QuerySet[Enrollment]:
    """Enrollments whose dates cover ``on``."""
    return Enrollment.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


def is_scheduled(enrollment: Enrollment, on: date) -> bool:
    return str(on.isoweekday()) in enrollment.weekdays


@dataclass(frozen=True)
class ChildChanges:
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    state_subsidy_id: str | None = None


def _clean_name(value: str, field: str, *, required: bool) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise InvalidInput("Must not be empty.", field)
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"At most {MAX_NAME_LENGTH} characters.", field)
    return cleaned


async def update_child(
    principal: StaffPrincipal, child_id: UUID, changes: ChildChanges, today: date
) -> Child:
    """Edit a child's record; the audit entry keeps the values before and after."""
    updates: dict[str, object] = {}
    if changes.first_name is not None:
        updates["first_name"] = _clean_name(changes.first_name, "firstName", required=True)
    if changes.middle_name is not None:
        updates["middle_name"] = _clean_name(changes.middle_name, "middleName", required=False)
    if changes.last_name is not None:
        updates["last_name"] = _clean_name(changes.last_name, "lastName", required=True)
    if changes.date_of_birth is not None:
        if changes.date_of_birth > today or changes.date_of_birth.year < today.year - 25:
            raise DomainError(
                PeopleErrorCode.IMPLAUSIBLE_DATE_OF_BIRTH,
                "Not a plausible date of birth.",
                "dateOfBirth",
            )
        updates["date_of_birth"] = changes.date_of_birth
    if changes.state_subsidy_id is not None:
        subsidy_id = changes.state_subsidy_id.strip()
        if len(subsidy_id) > MAX_SUBSIDY_ID_LENGTH:
            raise InvalidInput(f"At most {MAX_SUBSIDY_ID_LENGTH} characters.", "stateSubsidyId")
        updates["state_subsidy_id"] = subsidy_id or None

    await get_child(principal, child_id)
    if not updates:
        return await Child.get(id=child_id)
    async with in_transaction():
        child = await Child.select_for_update().get(id=child_id)
        before = {name: _jsonable(getattr(child, name)) for name in updates}
        child.update_from_dict(updates)
        await child.save(update_fields=list(updates))
        await audit.record(
            principal,
            "people.update_child",
            agency_id=child.agency_id,
            target_type="child",
            target_id=child.id,
            data={"before": before, "after": {k: _jsonable(v) for k, v in updates.items()}},
        )
    return child


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
