"""What a signed-in parent may read and report: their own children only.

Every query is scoped by ``people.readable_children(principal)``, whose parent branch
reads the families of the guardians the account is linked to, at every agency it is
connected to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from auth.principals import ParentPrincipal
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AttendanceSession,
    AuthMethod,
    EventSource,
)
from models.org import Site
from models.people import Child, Enrollment, FamilyAdult
from realtime.bus import EventBus
from services import attendance, org, people, roster_events
from services.attendance import Actor, AttendanceErrorCode, record_absence
from services.errors import DomainError, InvalidInput, NotFound
from services.rosters import (
    ChildDay,
    RosterEntry,
    day_records,
    derive_child_day,
)


class ParentViewErrorCode(StrEnum):
    """Rule failures of a parent's own changes (absences) beyond attendance's."""

    TOO_FAR_AHEAD = "TOO_FAR_AHEAD"


MAX_REASON_LENGTH = 500
MAX_HISTORY_DAYS = 93
# Parents report absences ahead (a trip, an appointment), not for next year.
MAX_DAYS_AHEAD = 90


# --- what a parent reads -------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyDay:
    date: date
    day: ChildDay
    timezone: str | None = None  # the site's: its times read in it (None: not known here)


async def own_children(principal: ParentPrincipal) -> list[Child]:
    return await people.readable_children(principal).order_by("first_name", "last_name")


def _is_current(enrollment: Enrollment, on: datetime) -> bool:
    local = org.local_date(enrollment.classroom.site, on)
    return enrollment.starts_on <= local and (
        enrollment.ends_on is None or enrollment.ends_on >= local
    )


async def _home_enrollments(child_ids: list[UUID], now: datetime) -> dict[str, Enrollment]:
    """Each child's current enrollment (else the latest), with its site for the time zone."""
    found: dict[str, Enrollment] = {}
    enrollments = (
        await Enrollment.filter(child_id__in=child_ids)
        .select_related("classroom__site")
        .order_by("starts_on")
    )
    for enrollment in enrollments:
        previous = found.get(str(enrollment.child_id))
        # Oldest first: a later enrollment wins unless only the earlier one is current.
        if previous is None or _is_current(enrollment, now) or not _is_current(previous, now):
            found[str(enrollment.child_id)] = enrollment
    return found


async def days_today(children: list[Child], now: datetime) -> dict[str, FamilyDay]:
    """Each child's day so far, on their site's local date: a few queries for all of them."""
    homes = await _home_enrollments([c.id for c in children], now)
    by_date: dict[date, list[str]] = defaultdict(list)
    for child_id, enrollment in homes.items():
        by_date[org.local_date(enrollment.classroom.site, now)].append(child_id)
    days: dict[str, FamilyDay] = {}
    for on, child_ids in by_date.items():
        sessions_by_child, events_by_child = await day_records(child_ids, on)
        for child_id in child_ids:
            day = derive_child_day(sessions_by_child[child_id], events_by_child[child_id])
            days[child_id] = FamilyDay(on, day, homes[child_id].classroom.site.timezone)
    return days


async def day_today(principal: ParentPrincipal, child_id: UUID, now: datetime) -> FamilyDay | None:
    """One of the parent's children's day so far; None for anyone else's child."""
    kids = await people.readable_children(principal).filter(id=child_id)
    return (await days_today(kids, now)).get(str(child_id))


async def history(
    principal: ParentPrincipal, child_id: UUID, start: date, end: date
) -> list[FamilyDay]:
    """The days with any attendance record between two dates (inclusive), oldest first."""
    if end < start:
        raise InvalidInput("The end comes before the start.", "to")
    if (end - start).days >= MAX_HISTORY_DAYS:
        raise InvalidInput(f"At most {MAX_HISTORY_DAYS} days at once.", "to")
    child = await people.readable_children(principal).get_or_none(id=child_id)
    if child is None:
        raise NotFound("Child")
    sessions_by_day: dict[date, list[AttendanceSession]] = defaultdict(list)
    events_by_day: dict[date, list[AttendanceEvent]] = defaultdict(list)
    span = {"child_id": child.id, "local_date__gte": start, "local_date__lte": end}
    zones: dict[date, str] = {}
    for session in await AttendanceSession.filter(**span).select_related("classroom__site"):
        sessions_by_day[session.local_date].append(session)
        zones[session.local_date] = session.classroom.site.timezone
    for event in await AttendanceEvent.filter(**span).select_related("site"):
        events_by_day[event.local_date].append(event)
        zones.setdefault(event.local_date, event.site.timezone)
    return [
        FamilyDay(d, derive_child_day(sessions_by_day[d], events_by_day[d]), zones[d])
        for d in sorted(zones)
    ]


# --- what a parent reports -----------------------------------------------------------------


async def _own_child(principal: ParentPrincipal, child_id: UUID) -> tuple[Child, FamilyAdult]:
    """Only a guardian of the child's family reports for it; any other child is not found."""
    child = await people.readable_children(principal).get_or_none(id=child_id)
    guardian = (
        await FamilyAdult.filter(
            id__in=list(principal.adult_ids),
            family_id=child.family_id,
            guardian_slot__isnull=False,
        ).first()
        if child is not None
        else None
    )
    if child is None or guardian is None:
        raise NotFound("Child")
    return child, guardian


async def _enrollment_on(child: Child, on: date) -> Enrollment:
    """An absence is for a day the child is enrolled (NOT_ENROLLED otherwise)."""
    enrollment = (
        await people.active_enrollments(on)
        .filter(child_id=child.id)
        .select_related("classroom__site")
        .first()
    )
    if enrollment is None:
        raise DomainError(
            AttendanceErrorCode.NOT_ENROLLED,
            f"The child is not enrolled on {on.isoformat()}.",
            "date",
        )
    return enrollment


def _check_absence_day(site: Site, on: date, now: datetime) -> None:
    """Not a past day the site locks, and at most MAX_DAYS_AHEAD days ahead."""
    today = org.local_date(site, now)
    if on < today and not site.allow_past_day_edits:
        raise DomainError(
            AttendanceErrorCode.PAST_DAY_LOCKED, "Past days can no longer be changed here.", "date"
        )
    if on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError(
            ParentViewErrorCode.TOO_FAR_AHEAD,
            f"Report absences at most {MAX_DAYS_AHEAD} days ahead.",
            "date",
        )


async def report_absence(
    principal: ParentPrincipal,
    child_id: UUID,
    on: date,
    reason: str,
    *,
    bus: EventBus,
    now: datetime,
    client_mutation_id: UUID | None = None,
) -> RosterEntry:
    """Report one's own child absent for a day they are enrolled and have not attended."""
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"At most {MAX_REASON_LENGTH} characters.", "reason")
    child, guardian = await _own_child(principal, child_id)
    enrollment = await _enrollment_on(child, on)
    classroom = enrollment.classroom
    site = classroom.site
    _check_absence_day(site, on, now)

    actor = Actor(
        principal=principal,
        kind=ActorKind.GUARDIAN,
        name=guardian.display_name,
        device=principal.device,
        source=EventSource.FAMILY_APP,
        # The parent proved who they are with their family account's sign-in.
        auth_method=AuthMethod.QR_ACCOUNT,
        adult_id=UUID(str(guardian.id)),
    )
    uuids = attendance.client_uuids(client_mutation_id, [UUID(str(child.id))])
    if client_mutation_id and await attendance.already_recorded(principal.device, uuids):
        # A retry of a report already stored: answered with the day as it stands.
        return (await attendance.current_entries(UUID(str(classroom.id)), on, list(uuids)))[0]
    event = await record_absence(
        actor,
        site,
        UUID(str(classroom.id)),
        UUID(str(child.id)),
        on,
        reason,
        now=now,
        client_uuid=uuids[UUID(str(child.id))],
    )
    # Published like a staff absence, so live rosters and counts move at once.
    entries = await roster_events.publish_changes(bus, site, on, [event])
    return entries[0]
