from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from models.org import Classroom
from resolvers.context import Info
from resolvers.outcome import Outcome, bad_input, object_id, outcome, raising
from services import attendance, org
from services.attendance import Counts, Entry, RosterEntry


async def roster(info: Info, classroom: Classroom, on: date | None) -> list[RosterEntry]:
    ctx = info.context
    day = on or org.local_date(classroom.site, ctx.now())
    return await attendance.roster(ctx.principal, classroom, day)


async def live_counts(info: Info, site_id: str, classroom_id: str | None) -> Counts:
    ctx = info.context
    site = await raising(org.get_site(ctx.principal, object_id(site_id, "Site")))
    room: UUID | None = None
    if classroom_id is not None:
        classroom = await raising(
            org.get_classroom(ctx.principal, object_id(classroom_id, "Classroom"))
        )
        if str(classroom.site_id) != str(site.id):
            raise bad_input("The classroom is not at this site.", "classroomId")
        room = classroom.id
    return await attendance.live_counts(ctx.principal, site, room, ctx.now())


@dataclass(frozen=True)
class EntryArgs:
    child_ids: list[str]
    classroom_id: str
    at: datetime | None
    operator_pin: str | None
    client_mutation_id: UUID | None


def _entry(args: EntryArgs) -> Entry:
    if args.at is not None and args.at.tzinfo is None:
        raise bad_input("Give the time with its UTC offset.", "at")
    return Entry(
        child_ids=[object_id(i, "Child") for i in args.child_ids],
        classroom_id=object_id(args.classroom_id, "Classroom"),
        at=args.at,
        operator_pin=args.operator_pin,
        client_mutation_id=args.client_mutation_id,
    )


async def sign_in(info: Info, args: EntryArgs) -> Outcome[list[RosterEntry]]:
    ctx = info.context
    return await outcome(
        attendance.sign_in(
            ctx.staff,
            _entry(args),
            bus=ctx.bus,
            secret=ctx.settings.secret,
            now=ctx.now(),
            skew=ctx.clock_skew,
        )
    )


async def sign_out(info: Info, args: EntryArgs) -> Outcome[list[RosterEntry]]:
    ctx = info.context
    return await outcome(
        attendance.sign_out(
            ctx.staff,
            _entry(args),
            bus=ctx.bus,
            secret=ctx.settings.secret,
            now=ctx.now(),
            skew=ctx.clock_skew,
        )
    )


async def mark_absent(info: Info, child_id: str, on: date, reason: str) -> Outcome[RosterEntry]:
    ctx = info.context
    return await outcome(
        attendance.mark_absent(
            ctx.staff, object_id(child_id, "Child"), on, reason, bus=ctx.bus, now=ctx.now()
        )
    )
