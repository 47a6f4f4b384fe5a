"""Closing a site's attendance day: children still signed in at its end are signed out.

Once a site's end-of-day time (``services/end_of_day.py``) has passed, every session of
the site still open from that day or an earlier one is closed at its own day's end as an
automatic check-out (``services/auto_checkout.py``), which waits for a guardian's
confirmation like a staff entry. A worker started late (after downtime) closes the days it
missed the same way: each session at the end of the day it was opened.

Exactly once per site and day, across workers and server instances: the close inserts a
``DayClose`` row, unique on (site, local date), in the same transaction as its sign-outs.
Of two racing closes the second insert fails (on PostgreSQL it waits for the first to
commit) and its transaction rolls back, writing nothing. Live views are told after commit,
one update per changed child.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.attendance import (
    AttendanceEvent,
    AttendanceSession,
    DayClose,
    EventKind,
    EventSource,
)
from models.org import Classroom, Site
from models.people import Child
from realtime.bus import EventBus
from services import auto_checkout, end_of_day, org, roster_events, signatures
from services.signatures import EventSignoff

logger = logging.getLogger(__name__)


async def due_days(now: datetime) -> list[tuple[Site, date]]:
    """Sites with a session open from a day whose end has passed, and the latest such day,
    unless that day was closed already: three small queries on the open sessions."""
    open_rows = await AttendanceSession.filter(open_child__isnull=False).values_list(
        "classroom_id", "local_date"
    )
    if not open_rows:
        return []
    room_site = {
        str(room): str(site)
        for room, site in await Classroom.filter(
            id__in=list({room for room, _ in open_rows})
        ).values_list("id", "site_id")
    }
    earliest: dict[str, date] = {}
    for room, day in open_rows:
        site_id = room_site[str(room)]
        earliest[site_id] = min(day, earliest.get(site_id, day))
    sites = {str(s.id): s for s in await Site.filter(id__in=list(earliest))}
    wanted = {sid: end_of_day.last_ended_day(site, now) for sid, site in sites.items()}
    wanted = {sid: day for sid, day in wanted.items() if earliest[sid] <= day}
    if not wanted:
        return []
    closed = {
        (str(site_id), day)
        for site_id, day in await DayClose.filter(
            site_id__in=list(wanted), local_date__in=list(set(wanted.values()))
        ).values_list("site_id", "local_date")
    }
    return [(sites[sid], day) for sid, day in wanted.items() if (sid, day) not in closed]


async def close_day(
    site: Site, day: date, *, now: datetime, bus: EventBus
) -> list[AttendanceEvent]:
    """Claim (site, day) and sign out every session of the site still open from that day
    or before whose closing time has come; nothing when another worker claimed it first.
    (A visit begun after its day's end closes at 23:59 of that day: when the day was closed
    before then, the next day's close or the child's next sign-in closes it.)"""
    try:
        async with in_transaction():
            await DayClose.create(site_id=site.id, local_date=day, closed_at=now)
            rooms = await Classroom.filter(site_id=site.id).values_list("id", flat=True)
            sessions = (
                await AttendanceSession.filter(
                    open_child__isnull=False, classroom_id__in=list(rooms), local_date__lte=day
                )
                .order_by("id")
                .select_for_update()
            )
            due = [s for s in sessions if end_of_day.closes_at(site, s) <= now]
            events = await auto_checkout.close_sessions(due, now=now)
            await DayClose.filter(site_id=site.id, local_date=day).update(signed_out=len(events))
    except IntegrityError:
        # The day is closed already (another worker or instance won the claim).
        return []
    by_day: dict[date, list[AttendanceEvent]] = defaultdict(list)
    for event in events:
        by_day[event.local_date].append(event)
    for local_date, changed in sorted(by_day.items()):
        await roster_events.publish_changes(bus, site, local_date, changed)
    return events


async def close_due_days(now: datetime, bus: EventBus) -> list[AttendanceEvent]:
    """Every day due for closing at ``now``, each once (the worker's pass)."""
    events: list[AttendanceEvent] = []
    for site, day in await due_days(now):
        closed = await close_day(site, day, now=now, bus=bus)
        if closed:
            logger.info(
                "closed site %s day %s: %d automatic check-out(s)", site.id, day, len(closed)
            )
        events += closed
    return events


# --- the review list -------------------------------------------------------------------


@dataclass(frozen=True)
class AutoCheckout:
    """A child the system signed out, for staff to review and correct."""

    child: Child
    classroom_id: UUID
    signed_in_at: datetime | None
    # The automatic sign-out, and the correction in force when staff corrected its time.
    event: AttendanceEvent
    correction: AttendanceEvent | None
    signoffs: dict[str, EventSignoff]

    def signoff(self, event: AttendanceEvent) -> EventSignoff:
        return self.signoffs.get(str(event.id)) or signatures.unsigned(event)


async def auto_checkouts(principal: StaffPrincipal, site_id: UUID, day: date) -> list[AutoCheckout]:
    """The site's automatic check-outs of a local day; another site is not found."""
    site = await org.get_site(principal, site_id)
    events = await AttendanceEvent.filter(site_id=site.id, local_date=day).select_related("child")
    corrections = {str(e.corrects_id): e for e in events if e.corrects_id}
    found = [
        e for e in events if e.source is EventSource.AUTO_CHECKOUT and e.kind is EventKind.SIGN_OUT
    ]
    latest: dict[str, AttendanceEvent] = {}
    for event in found:
        current = event
        while str(current.id) in corrections:
            current = corrections[str(current.id)]
        latest[str(event.id)] = current
    sessions = {
        str(s.sign_out_event_id): s
        for s in await AttendanceSession.filter(
            sign_out_event_id__in=[e.id for e in latest.values()]
        )
    }
    signed = await signatures.signoffs(events)
    rows = []
    for event in found:
        current = latest[str(event.id)]
        session = sessions.get(str(current.id))
        rows.append(
            AutoCheckout(
                child=event.child,
                classroom_id=UUID(str(event.classroom_id)),
                signed_in_at=session.signed_in_at if session else None,
                event=event,
                correction=current if current is not event else None,
                signoffs=signed,
            )
        )
    rows.sort(key=lambda r: (r.child.last_name.lower(), r.child.first_name.lower()))
    return rows
