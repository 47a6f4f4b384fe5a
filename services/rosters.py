"""Reading attendance: a child's day derived from the log, rosters and live counts.

Every read is a constant number of queries whatever the class size; live counts can
also be kept current from published changes alone (``Tally``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from auth.principals import Principal
from models.attendance import AttendanceEvent, AttendanceSession, EventKind, EventSource
from models.org import Classroom, Site
from models.people import Child, Enrollment
from realtime.events import AttendanceChanged
from services import org, people
from services.signatures import EventSignoff, signoffs, unsigned


class DayStatus(StrEnum):
    NOT_ARRIVED = "NOT_ARRIVED"
    SIGNED_IN = "SIGNED_IN"
    SIGNED_OUT = "SIGNED_OUT"
    ABSENT = "ABSENT"


@dataclass(frozen=True)
class ChildDay:
    """A child's derived state for one site-local day."""

    status: DayStatus
    signed_in_at: datetime | None
    signed_out_at: datetime | None
    absence_reason: str | None


def derive_child_day(
    sessions: Sequence[AttendanceSession], events: Sequence[AttendanceEvent]
) -> ChildDay:
    """Presence wins over an absence: a child reported absent who came anyway was here."""
    first_in = min((s.signed_in_at for s in sessions), default=None)
    if any(s.signed_out_at is None for s in sessions):
        return ChildDay(DayStatus.SIGNED_IN, first_in, None, None)
    if sessions:
        last_out = max(s.signed_out_at for s in sessions if s.signed_out_at is not None)
        return ChildDay(DayStatus.SIGNED_OUT, first_in, last_out, None)
    absences = [e for e in events if e.kind is EventKind.ABSENT]
    if absences:
        return ChildDay(DayStatus.ABSENT, None, None, absences[-1].reason)
    return ChildDay(DayStatus.NOT_ARRIVED, None, None, None)


@dataclass(frozen=True)
class RosterEntry:
    child: Child
    classroom_id: UUID
    date: date
    scheduled: bool
    day: ChildDay
    events: list[AttendanceEvent] = field(default_factory=list)
    # Event ID -> how a parent signature stands on it (the parent's replaces staff's).
    signoffs: dict[str, EventSignoff] = field(default_factory=dict)
    # The program of the enrollment that put the child on this roster.
    program_id: UUID | None = None

    def signoff(self, event: AttendanceEvent) -> EventSignoff:
        return self.signoffs.get(str(event.id)) or unsigned(event)

    @property
    def auto_checked_out(self) -> bool:
        """Signed out by the system at the end of the day, that time not yet corrected."""
        corrected = {str(e.corrects_id) for e in self.events if e.corrects_id}
        return self.day.status is DayStatus.SIGNED_OUT and any(
            e.source is EventSource.AUTO_CHECKOUT
            and e.kind is EventKind.SIGN_OUT
            and str(e.id) not in corrected
            for e in self.events
        )


@dataclass(frozen=True)
class Counts:
    enrolled: int
    signed_in: int
    signed_out: int
    absent: int
    incomplete: int


async def day_records(
    child_ids: Iterable[UUID | str], on: date
) -> tuple[dict[str, list[AttendanceSession]], dict[str, list[AttendanceEvent]]]:
    ids = list(child_ids)
    sessions: dict[str, list[AttendanceSession]] = defaultdict(list)
    events: dict[str, list[AttendanceEvent]] = defaultdict(list)
    if not ids:
        return sessions, events
    for session in await AttendanceSession.filter(child_id__in=ids, local_date=on):
        sessions[str(session.child_id)].append(session)
    for event in await AttendanceEvent.filter(child_id__in=ids, local_date=on):
        events[str(event.child_id)].append(event)
    return sessions, events


async def entries_for(
    enrollments: Sequence[Enrollment],
    on: date,
    only: set[UUID] | None = None,
    fresh: Collection[str] = (),
) -> list[RosterEntry]:
    """Roster entries for enrolled children: four queries whatever the class size (three
    when every event of those days is ``fresh``, just written: none can be signed yet)."""
    chosen = [e for e in enrollments if only is None or UUID(str(e.child_id)) in only]
    sessions, events = await day_records((e.child_id for e in chosen), on)
    signed = await signoffs([e for day_events in events.values() for e in day_events], fresh)
    entries = [
        RosterEntry(
            child=e.child,
            classroom_id=UUID(str(e.classroom_id)),
            date=on,
            scheduled=people.is_scheduled(e, on),
            day=derive_child_day(sessions[str(e.child_id)], events[str(e.child_id)]),
            events=events[str(e.child_id)],
            signoffs={str(ev.id): signed[str(ev.id)] for ev in events[str(e.child_id)]},
            program_id=UUID(str(e.program_id)) if e.program_id else None,
        )
        for e in chosen
    ]
    entries.sort(key=lambda r: (r.child.last_name.lower(), r.child.first_name.lower()))
    return entries


async def classroom_enrollments(
    classroom_id: UUID, on: date, program_id: UUID | None = None
) -> list[Enrollment]:
    query = people.active_enrollments(on).filter(classroom_id=classroom_id)
    if program_id is not None:
        query = query.filter(program_id=program_id)
    enrollments = await query.select_related("child")
    # A child enrolled twice in one room (overlapping records) appears once.
    unique: dict[str, Enrollment] = {}
    for enrollment in enrollments:
        unique.setdefault(str(enrollment.child_id), enrollment)
    return list(unique.values())


async def roster(
    principal: Principal, classroom: Classroom, on: date, program_id: UUID | None = None
) -> list[RosterEntry]:
    """Every child enrolled in the classroom on ``on`` (in one program when given), with
    that day's state. An archived classroom has no roster from its archive day on; its
    earlier days stay readable."""
    if classroom.archived_at is not None and org.archived_by(
        classroom.archived_at, classroom.site, on
    ):
        return []
    return await entries_for(await classroom_enrollments(classroom.id, on, program_id), on)


@dataclass
class _Tallied:
    status: DayStatus
    scheduled: bool
    as_of: datetime | None


@dataclass
class Tally:
    """Per-child states behind the live counts of one site-local day.

    Built once from the database, then kept current from published changes alone. A
    change only replaces a child's state when it is newer (server time), so changes
    arriving out of order from several instances still converge.
    """

    site_id: UUID
    classroom_id: UUID | None
    day: date
    children: dict[str, _Tallied]
    # Counting one program's children only.
    program_id: UUID | None = None

    def apply(self, change: AttendanceChanged) -> bool:
        """Fold in one change; True when the counts may have moved."""
        if change.site_id != str(self.site_id) or change.local_date != self.day.isoformat():
            return False
        if self.classroom_id is not None and change.classroom_id != str(self.classroom_id):
            return False
        if self.program_id is not None and change.program_id != str(self.program_id):
            return False
        as_of = datetime.fromisoformat(change.as_of)
        current = self.children.get(change.child_id)
        if current is not None and current.as_of is not None and current.as_of > as_of:
            return False
        if not change.on_roster:
            # The child moved out of the counted classroom (or site).
            return self.children.pop(change.child_id, None) is not None
        self.children[change.child_id] = _Tallied(DayStatus(change.status), change.scheduled, as_of)
        return True

    def counts(self) -> Counts:
        counted = [
            c.status
            for c in self.children.values()
            if c.scheduled or c.status is not DayStatus.NOT_ARRIVED
        ]
        return Counts(
            enrolled=len(counted),
            signed_in=counted.count(DayStatus.SIGNED_IN),
            signed_out=counted.count(DayStatus.SIGNED_OUT),
            absent=counted.count(DayStatus.ABSENT),
            incomplete=counted.count(DayStatus.SIGNED_IN) + counted.count(DayStatus.NOT_ARRIVED),
        )


async def tally(
    principal: Principal,
    site: Site,
    classroom_id: UUID | None,
    now: datetime,
    program_id: UUID | None = None,
) -> Tally:
    """The site's (or one classroom's, or one program's) children and their states for the
    local today. Archived classrooms count no more."""
    today = org.local_date(site, now)
    query = people.active_enrollments(today).filter(
        classroom__site_id=site.id, classroom__archived_at__isnull=True
    )
    if classroom_id is not None:
        query = query.filter(classroom_id=classroom_id)
    if program_id is not None:
        query = query.filter(program_id=program_id)
    children: dict[str, _Tallied] = {}
    for entry in await entries_for(await query.select_related("child"), today):
        key = str(entry.child.id)
        previous = children.get(key)
        # A child enrolled in two rooms counts once, by their actual state.
        if previous is None or previous.status is DayStatus.NOT_ARRIVED:
            as_of = max((e.recorded_at for e in entry.events), default=None)
            children[key] = _Tallied(entry.day.status, entry.scheduled, as_of)
    return Tally(
        site_id=site.id,
        classroom_id=classroom_id,
        day=today,
        children=children,
        program_id=program_id,
    )


async def live_counts(
    principal: Principal,
    site: Site,
    classroom_id: UUID | None,
    now: datetime,
    program_id: UUID | None = None,
) -> Counts:
    """Counts for the site's local today.

    ``enrolled`` is every child scheduled today or with a record today; ``incomplete`` is
    every such child whose day is not finished: signed in and not out, or no record yet.
    """
    return (await tally(principal, site, classroom_id, now, program_id)).counts()
