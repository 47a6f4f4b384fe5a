"""The automatic check-out: closing sessions left open, as the system, through the
recording core.

Two paths close a forgotten session, and both come here: the end-of-day close of a site
(``services/day_close.py``, run by the worker) and a sign-in of a child whose session of
an earlier day is still open (``record_sign_ins`` calls :func:`close_sessions` in its
own transaction). Each session is signed out at its day's end (``services/end_of_day.py``)
by ``attendance.record_sign_outs``, so sessions, events and audit follow the one path.

The automatic event of a session has a fixed client id derived from the session, on the
one system device: whichever path comes second collides with the first on the unique
(device, client id) and writes nothing, so a session is auto-closed at most once.

(This module and ``services/attendance.py`` import each other as modules; each only uses
the other's functions when called.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from uuid import UUID, uuid5

from auth.principals import SystemPrincipal
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AttendanceSession,
    AuthMethod,
    EventSource,
)
from models.org import Classroom, Site
from services import attendance, end_of_day

DEVICE = "system:end-of-day"
# Names the automatic event of a session: uuid5(this, session id).
_NAMESPACE = UUID("6f1c8f6e-3a53-4d47-9d0c-2a8c6a3b7e10")


def system_actor() -> attendance.Actor:
    return attendance.Actor(
        principal=SystemPrincipal(),
        kind=ActorKind.SYSTEM,
        name="Automatic check-out",
        device=DEVICE,
        source=EventSource.AUTO_CHECKOUT,
        # No adult proved anything: like a staff entry, it waits for a guardian to confirm.
        # (A value of its own would alter attendance_event, unsafe on SQLite via Tortoise.)
        auth_method=AuthMethod.STAFF_ENTRY,
    )


def event_uuid(session: AttendanceSession) -> UUID:
    return uuid5(_NAMESPACE, str(session.id))


async def close_sessions(
    sessions: Sequence[AttendanceSession], *, now: datetime
) -> list[AttendanceEvent]:
    """Sign each (locked, open) session out at its own day's end: all of them or none."""
    if not sessions:
        return []
    rooms = {
        str(room.id): room
        for room in await Classroom.filter(
            id__in=list({s.classroom_id for s in sessions})
        ).select_related("site")
    }
    groups: dict[tuple[str, date, datetime], list[AttendanceSession]] = defaultdict(list)
    sites: dict[str, Site] = {}
    for session in sessions:
        site = rooms[str(session.classroom_id)].site
        sites[str(site.id)] = site
        at = end_of_day.closes_at(site, session)
        groups[(str(site.id), session.local_date, at)].append(session)
    events: list[AttendanceEvent] = []
    for (site_id, day, at), group in groups.items():
        events += await attendance.record_sign_outs(
            system_actor(),
            sites[site_id],
            [UUID(str(s.child_id)) for s in group],
            at=at,
            day=day,
            operator=None,
            client_uuids={UUID(str(s.child_id)): event_uuid(s) for s in group},
            now=now,
        )
    return events


async def close_earlier_days(
    child_ids: Iterable[UUID], day: date, *, now: datetime
) -> list[AttendanceEvent]:
    """A forgotten sign-out never blocks the next day: each child's session still open
    from a local day before ``day`` closes at that day's end. Call inside the sign-in's
    transaction, before it looks for open sessions."""
    stale = (
        await AttendanceSession.filter(open_child__in=list(child_ids), local_date__lt=day)
        .order_by("id")
        .select_for_update()
    )
    return await close_sessions(stale, now=now)
