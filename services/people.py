"""Children and their records, scoped to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_parent, is_staff
from models.people import Child, Enrollment, Family
from services import audit, org
from services.errors import DomainError, InvalidInput, NotFound


class PeopleErrorCode(StrEnum):
    """Rule failures of editing children."""

    IMPLAUSIBLE_DATE_OF_BIRTH = "IMPLAUSIBLE_DATE_OF_BIRTH"


MAX_NAME_LENGTH = 100
MAX_SUBSIDY_ID_LENGTH = 64
MAX_NOTES_LENGTH = 4000
# Older than this is no child in care: almost surely a typo in the year.
MAX_AGE_YEARS = 25


def readable_children(principal: Principal) -> QuerySet[Child]:
    """The children the caller may read: every read of a child starts here.

    Staff: the children of their agency enrolled (at any time) at the sites they work at,
    or registered at one of them (a child not enrolled yet has no other site).
    Parents: the children of the families of the guardians they are linked to, at each
    agency they are connected to. Kiosks and anyone signed out: none (the PIN pad finds
    its children through a typed PIN, under its own rules).
    """
    if is_staff(principal):
        sites = list(principal.site_ids)
        return Child.filter(
            Q(site_id__in=sites) | Q(enrollments__classroom__site_id__in=sites),
            agency_id=principal.agency_id,
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


def readable_families(principal: Principal) -> QuerySet[Family]:
    """Staff reach a family through a child they can read; others reach none here."""
    if is_staff(principal):
        return Family.filter(
            agency_id=principal.agency_id,
            id__in=Subquery(readable_children(principal).values("family_id")),
        )
    return Family.filter(id__in=[])


async def get_family(principal: Principal, family_id: UUID) -> Family:
    family = await readable_families(principal).get_or_none(id=family_id)
    if family is None:
        raise NotFound("Family")
    return family


async def create_family(principal: StaffPrincipal, name: str) -> Family:
    """A bare family for a child registered without one; guardians come separately.
    Call inside the transaction that adds the child."""
    family = await Family.create(agency_id=principal.agency_id, name=name)
    await audit.record(
        principal,
        "people.create_family",
        agency_id=principal.agency_id,
        target_type="family",
        target_id=family.id,
        data={"before": None, "after": {"name": family.name}},
    )
    return family


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
    notes: str | None = None


@dataclass(frozen=True)
class NewChild:
    """A child to register at a site, in an existing family or (without one) a new one."""

    site_id: UUID
    first_name: str
    last_name: str
    date_of_birth: date
    family_id: UUID | None = None
    middle_name: str = ""
    state_subsidy_id: str | None = None
    notes: str | None = None


def _clean_name(value: str, field: str, *, required: bool) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise InvalidInput("Must not be empty.", field)
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"At most {MAX_NAME_LENGTH} characters.", field)
    return cleaned


def checked_fields(changes: ChildChanges, today: date) -> dict[str, object]:
    """The model fields to write, cleaned; shape errors raise, rule failures too."""
    updates: dict[str, object] = {}
    if changes.first_name is not None:
        updates["first_name"] = _clean_name(changes.first_name, "firstName", required=True)
    if changes.middle_name is not None:
        updates["middle_name"] = _clean_name(changes.middle_name, "middleName", required=False)
    if changes.last_name is not None:
        updates["last_name"] = _clean_name(changes.last_name, "lastName", required=True)
    if changes.state_subsidy_id is not None:
        subsidy_id = changes.state_subsidy_id.strip()
        if len(subsidy_id) > MAX_SUBSIDY_ID_LENGTH:
            raise InvalidInput(f"At most {MAX_SUBSIDY_ID_LENGTH} characters.", "stateSubsidyId")
        updates["state_subsidy_id"] = subsidy_id or None
    if changes.notes is not None:
        notes = changes.notes.strip()
        if len(notes) > MAX_NOTES_LENGTH:
            raise InvalidInput(f"At most {MAX_NOTES_LENGTH} characters.", "notes")
        updates["notes"] = notes or None
    if changes.date_of_birth is not None:
        _check_birth(changes.date_of_birth, today)
        updates["date_of_birth"] = changes.date_of_birth
    return updates


def _check_birth(born: date, today: date) -> None:
    """A date of birth is not in the future, nor implausibly long ago."""
    if born > today:
        raise DomainError(
            PeopleErrorCode.IMPLAUSIBLE_DATE_OF_BIRTH,
            "The date of birth is in the future.",
            "dateOfBirth",
        )
    if born.year < today.year - MAX_AGE_YEARS:
        raise DomainError(
            PeopleErrorCode.IMPLAUSIBLE_DATE_OF_BIRTH,
            f"Not a plausible date of birth: more than {MAX_AGE_YEARS} years ago.",
            "dateOfBirth",
        )


async def create_child(principal: StaffPrincipal, new: NewChild, now: datetime) -> Child:
    """Register a child at one of the caller's sites, in a family they can reach, or in a
    new family of their own; audited with everything written."""
    site = await org.get_site(principal, new.site_id)
    fields = checked_fields(
        ChildChanges(
            first_name=new.first_name,
            middle_name=new.middle_name,
            last_name=new.last_name,
            date_of_birth=new.date_of_birth,
            state_subsidy_id=new.state_subsidy_id,
            notes=new.notes,
        ),
        org.local_date(site, now),
    )
    async with in_transaction():
        if new.family_id is None:
            family = await create_family(principal, str(fields["last_name"]))
        else:
            family = await get_family(principal, new.family_id)
        child = Child(agency_id=principal.agency_id, family=family, site=site, **fields)
        await child.save(force_create=True)
        await audit.record(
            principal,
            "people.create_child",
            agency_id=principal.agency_id,
            target_type="child",
            target_id=child.id,
            data={
                "before": None,
                "after": {
                    **{k: _jsonable(v) for k, v in fields.items()},
                    "family_id": str(family.id),
                    "site_id": str(site.id),
                },
            },
        )
    return child


async def update_child(
    principal: StaffPrincipal, child_id: UUID, changes: ChildChanges, today: date
) -> Child:
    """Edit a child's record; the audit entry keeps the values before and after."""
    updates = checked_fields(changes, today)
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
