"""Publishing attendance after commit: the changed roster rows to their classrooms' and
sites' channels, built from the rows just read (services/rosters.py reads them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from models.attendance import AttendanceEvent
from models.org import Classroom, Site
from models.people import Enrollment
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AttendanceChanged, EventPayload
from services import org, people
from services.rosters import RosterEntry, entries_for


async def publish_changes(
    bus: EventBus,
    site: Site,
    day: date,
    events: Sequence[AttendanceEvent],
    enrollments_read: Sequence[Enrollment] | None = None,
    *,
    just_recorded: bool = False,
) -> list[RosterEntry]:
    """The changed children's roster rows, also published (after commit) to live views.

    The events may span classrooms (a family signing in at a kiosk); four queries
    whatever the number of children or rooms, one fewer when the caller read the
    children's enrollments of the events' room for ``day`` (with their child) already,
    and one fewer when the events were ``just_recorded`` and are all the day has."""
    if not events:
        return []
    causes = {str(e.child_id): e for e in events}
    found = (
        enrollments_read
        if enrollments_read is not None
        else await people.active_enrollments(day)
        .filter(classroom__site_id=site.id, child_id__in=list(causes))
        .select_related("child")
    )
    # Each child on the roster that shows them today: the event's room, else the room they
    # moved to after it (a session opened in the old room closes there the same day). A
    # child enrolled twice in one room (overlapping records) appears once.
    enrollments: dict[str, Enrollment] = {}
    for enrollment in found:
        child = str(enrollment.child_id)
        in_cause_room = str(enrollment.classroom_id) == str(causes[child].classroom_id)
        if child not in enrollments or in_cause_room:
            enrollments[child] = enrollment
    fresh = {str(e.id) for e in events} if just_recorded else set()
    entries = await entries_for(list(enrollments.values()), day, fresh=fresh)
    by_room: dict[str, list[RosterEntry]] = {}
    for cause in events:
        by_room.setdefault(str(cause.classroom_id), [])
    for entry in entries:
        by_room.setdefault(str(entry.classroom_id), []).append(entry)
    messages: list[tuple[str, AttendanceChanged]] = []
    ordered: list[RosterEntry] = []
    for room_entries in by_room.values():
        for entry in room_entries:
            change = attendance_changed(site, entry, causes[str(entry.child.id)])
            messages.append((channels.classroom_roster(entry.classroom_id), change))
            messages.append((channels.site_counts(site.id), change))
        ordered += room_entries
    await bus.publish(messages)
    return ordered


async def publish_move(bus: EventBus, moved: Enrollment, left: Classroom, now: datetime) -> None:
    """After a move commits: live views of the room the child left drop the child, and
    those of the room joined show the child's day, once the move has reached the site's
    today (a move planned for a later day changes no roster of today). Both classrooms
    come with their site."""
    joined = moved.classroom
    day = org.local_date(joined.site, now)
    active = await people.active_enrollments(day).filter(id=moved.id).select_related("child")
    if moved.starts_on > day or not active:
        return
    [entry] = await entries_for(active, day)
    # At least as new as every event read for the row: events carry the database's
    # recording time, and a live count keeps a child's newest state only.
    as_of = max([now, *(e.recorded_at for e in entry.events)])
    arrived = roster_changed(joined.site, entry, as_of)
    gone = replace(
        arrived,
        site_id=str(left.site_id),
        classroom_id=str(left.id),
        local_date=org.local_date(left.site, now).isoformat(),
        on_roster=False,
    )
    # The leaving row first: a site's counts drop the child, then count them again.
    await bus.publish(
        [
            (channels.classroom_roster(left.id), gone),
            (channels.site_counts(left.site_id), gone),
            (channels.classroom_roster(joined.id), arrived),
            (channels.site_counts(joined.site_id), arrived),
        ]
    )


def attendance_changed(site: Site, entry: RosterEntry, cause: AttendanceEvent) -> AttendanceChanged:
    change = roster_changed(site, entry, cause.recorded_at)
    return replace(change, event=_payload(cause))


def roster_changed(site: Site, entry: RosterEntry, as_of: datetime) -> AttendanceChanged:
    """A roster row's state as of ``as_of``, with no causing event."""
    return AttendanceChanged(
        agency_id=str(site.agency_id),
        site_id=str(site.id),
        classroom_id=str(entry.classroom_id),
        local_date=entry.date.isoformat(),
        child_id=str(entry.child.id),
        child_first_name=entry.child.first_name,
        child_last_name=entry.child.last_name,
        scheduled=entry.scheduled,
        status=entry.day.status.value,
        signed_in_at=_iso(entry.day.signed_in_at),
        signed_out_at=_iso(entry.day.signed_out_at),
        absence_reason=entry.day.absence_reason,
        as_of=as_of.isoformat(),
        program_id=str(entry.program_id) if entry.program_id else None,
    )


def _payload(cause: AttendanceEvent) -> EventPayload:
    return EventPayload(
        id=str(cause.id),
        kind=cause.kind.value,
        at=cause.occurred_at.isoformat(),
        recorded_at=cause.recorded_at.isoformat(),
        actor=cause.actor_name,
        actor_kind=cause.actor_kind.value,
        operator=cause.operator_name,
        source=cause.source.value,
        auth_method=cause.auth_method.value,
        device=cause.device,
        reason=cause.reason or None,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
