"""A month of a 200-child site, written in bulk: the data of the report benchmark and test.

The rows are written straight to the tables (a month of sign-ins through the services
would take minutes): what matters here is the records' shape and number, not how they
were taken.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AttendanceSession,
    AuthMethod,
    EventKind,
    EventSource,
)
from models.org import Classroom, Site
from models.people import Child, Family

CHILDREN = 200
ROOMS = 10
MONTH_START = date(2026, 3, 1)  # 22 weekdays
ZONE = ZoneInfo("America/Chicago")


def _event(
    site: Site, staff_id: UUID, room_id: UUID, kid: Child, day: date, kind: EventKind, at: datetime
) -> AttendanceEvent:
    return AttendanceEvent(
        id=uuid4(), agency_id=site.agency_id, site_id=site.id, classroom_id=room_id,
        child_id=kid.id, kind=kind, occurred_at=at, local_date=day, actor_kind=ActorKind.STAFF,
        actor_staff_id=staff_id, actor_name="Tess Teacher", device="bulk",
        source=EventSource.STAFF_ENTRY, auth_method=AuthMethod.STAFF_ENTRY, client_uuid=uuid4(),
    )  # fmt: skip


async def write_month(site: Site, staff_id: UUID) -> None:
    """200 children in 10 classrooms, each signed in and out every weekday of March 2026."""
    rooms = [await Classroom.create(id=uuid4(), site=site, name=f"Room {i}") for i in range(ROOMS)]
    family = await Family.create(agency_id=site.agency_id, name="Bulk")
    kids = [
        Child(
            id=uuid4(),
            agency_id=site.agency_id,
            family_id=family.id,
            first_name=f"Kid{i}",
            last_name=f"Child{i:03}",
            date_of_birth=date(2022, 1, 1),
        )
        for i in range(CHILDREN)
    ]
    await Child.bulk_create(kids)
    events, sessions = [], []
    for day in (MONTH_START + timedelta(days=i) for i in range(31)):
        if day.weekday() >= 5:
            continue
        for n, kid in enumerate(kids):
            room = rooms[n % ROOMS].id
            start = datetime(day.year, day.month, day.day, 8, n % 50, tzinfo=ZONE)
            sign_in = _event(site, staff_id, room, kid, day, EventKind.SIGN_IN, start)
            sign_out = _event(
                site, staff_id, room, kid, day, EventKind.SIGN_OUT, start + timedelta(hours=8)
            )
            events += [sign_in, sign_out]
            sessions.append(
                AttendanceSession(
                    id=uuid4(),
                    child_id=kid.id,
                    classroom_id=room,
                    local_date=day,
                    signed_in_at=sign_in.occurred_at,
                    signed_out_at=sign_out.occurred_at,
                    sign_in_event_id=sign_in.id,
                    sign_out_event_id=sign_out.id,
                )
            )
    await AttendanceEvent.bulk_create(events, batch_size=2000)
    await AttendanceSession.bulk_create(sessions, batch_size=2000)
