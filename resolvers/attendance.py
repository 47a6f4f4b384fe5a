from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from uuid import UUID

from auth.principals import is_parent
from models.org import Classroom, Site
from realtime import channels
from realtime.bus import Resync
from realtime.events import AttendanceChanged
from resolvers.context import Info
from resolvers.outcome import Outcome, bad_input, object_id, outcome, raising
from resolvers.subscriptions import delegated, listening
from services import app_attendance, org, programs, rosters, staff_attendance
from services.attendance import Entry
from services.rosters import Counts, RosterEntry


async def _program(info: Info, program_id: str | None) -> UUID | None:
    if program_id is None:
        return None
    found = await raising(
        programs.get_program(info.context.principal, object_id(program_id, "Program"))
    )
    return UUID(str(found.id))


async def roster(
    info: Info, classroom: Classroom, on: date | None, program_id: str | None = None
) -> list[RosterEntry]:
    ctx = info.context
    day = on or org.local_date(classroom.site, ctx.now())
    program = await _program(info, program_id)
    return await rosters.roster(ctx.principal, classroom, day, program)


async def _room_of(info: Info, site: Site, classroom_id: str | None) -> UUID | None:
    if classroom_id is None:
        return None
    classroom = await raising(
        org.get_classroom(info.context.principal, object_id(classroom_id, "Classroom"))
    )
    if str(classroom.site_id) != str(site.id):
        raise bad_input("The classroom is not at this site.", "classroomId")
    return UUID(str(classroom.id))


async def live_counts(
    info: Info, site_id: str, classroom_id: str | None, program_id: str | None = None
) -> Counts:
    ctx = info.context
    site = await raising(org.get_site(ctx.principal, object_id(site_id, "Site")))
    room = await _room_of(info, site, classroom_id)
    program = await _program(info, program_id)
    return await rosters.live_counts(ctx.principal, site, room, ctx.now(), program)


async def _record(
    info: Info, entry: Entry, change: Callable[..., Awaitable[list[RosterEntry]]]
) -> Outcome[list[RosterEntry]]:
    ctx = info.context
    return await outcome(
        change(
            ctx.staff,
            entry,
            bus=ctx.bus,
            secret=ctx.settings.secret,
            now=ctx.now(),
            skew=ctx.clock_skew,
        )
    )


async def _from_phone(
    info: Info, entry: Entry, change: Callable[..., Awaitable[list[RosterEntry]]]
) -> Outcome[list[RosterEntry]]:
    ctx = info.context
    principal = ctx.principal
    assert is_parent(principal), "only parents sign in from their phone"
    return await outcome(
        change(
            principal,
            entry,
            bus=ctx.bus,
            secret=ctx.settings.secret,
            now=ctx.now(),
        )
    )


async def sign_in(info: Info, entry: Entry) -> Outcome[list[RosterEntry]]:
    if is_parent(info.context.principal):
        return await _from_phone(info, entry, app_attendance.sign_in)
    return await _record(info, entry, staff_attendance.sign_in)


async def sign_out(info: Info, entry: Entry) -> Outcome[list[RosterEntry]]:
    if is_parent(info.context.principal):
        return await _from_phone(info, entry, app_attendance.sign_out)
    return await _record(info, entry, staff_attendance.sign_out)


async def mark_absent(
    info: Info, child_id: str, on: date, reason: str, client_mutation_id: UUID | None = None
) -> Outcome[RosterEntry]:
    ctx = info.context
    return await outcome(
        staff_attendance.mark_absent(
            ctx.staff,
            object_id(child_id, "Child"),
            on,
            reason,
            bus=ctx.bus,
            now=ctx.now(),
            client_mutation_id=client_mutation_id,
        )
    )


async def roster_changes(
    info: Info, classroom_id: str
) -> AsyncIterator[RosterEntry | AttendanceChanged]:
    """Each change to the classroom's roster; every row again after a resync."""
    ctx = info.context
    classroom = await raising(
        org.get_classroom(ctx.principal, object_id(classroom_id, "Classroom"))
    )
    async with listening(info, channels.classroom_roster(classroom.id)) as changes:
        async for change in changes:
            if isinstance(change, Resync):
                day = org.local_date(classroom.site, ctx.now())
                for entry in await rosters.roster(ctx.principal, classroom, day):
                    yield entry
            elif isinstance(change, AttendanceChanged):
                yield change


async def count_changes(
    info: Info, site_id: str, classroom_id: str | None, program_id: str | None = None
) -> AsyncIterator[Counts]:
    """The counts now, then again whenever they move."""
    ctx = info.context
    site = await raising(org.get_site(ctx.principal, object_id(site_id, "Site")))
    room = await _room_of(info, site, classroom_id)
    program = await _program(info, program_id)
    async with listening(info, channels.site_counts(site.id)) as changes:
        # Snapshot after subscribing: a change in between is in both, which is harmless.
        tally = await rosters.tally(ctx.principal, site, room, ctx.now(), program)
        yield tally.counts()
        if delegated(changes):
            # The group applies the changes for this socket: the site's tally kept here
            # as well cost each of a thousand dashboards about 30 KiB.
            del tally
            async for _ in changes:
                pass
            return
        async for change in changes:
            today = org.local_date(site, ctx.now())
            if isinstance(change, Resync) or today != tally.day:
                tally = await rosters.tally(ctx.principal, site, room, ctx.now(), program)
                yield tally.counts()
            elif isinstance(change, AttendanceChanged) and tally.apply(change):
                yield tally.counts()
