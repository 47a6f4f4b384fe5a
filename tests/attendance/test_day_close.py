"""The end of the attendance day: children still signed in are signed out by the system,
at the site's end-of-day time, once, in every zone and across daylight-saving changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from jobs.day_close import DayCloser
from models.attendance import ActorKind, AttendanceSession, DayClose, EventKind, EventSource
from models.audit import AuditEntry
from models.org import Site
from realtime.bus import EventBus
from services import end_of_day
from tests import factories as make
from tests.attendance.day_close_helpers import auto_events, close, local, roster, sign
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.world import World

CHICAGO, LOS_ANGELES = "America/Chicago", "America/Los_Angeles"
# (zone, local date): ordinary days, and the days daylight saving starts and ends in 2026.
DAYS = [
    pytest.param(CHICAGO, date(2026, 3, 4), id="chicago"),
    pytest.param(LOS_ANGELES, date(2026, 3, 4), id="los-angeles"),
    pytest.param(CHICAGO, date(2026, 3, 8), id="chicago-dst-starts"),
    pytest.param(LOS_ANGELES, date(2026, 3, 8), id="los-angeles-dst-starts"),
    pytest.param(CHICAGO, date(2026, 11, 1), id="chicago-dst-ends"),
    pytest.param(LOS_ANGELES, date(2026, 11, 1), id="los-angeles-dst-ends"),
]


def _site(world: World, zone: str) -> tuple[Site, Any]:
    return (world.site, world.room) if zone == CHICAGO else (world.other_site, world.other_room)


# --- the instant a day ends ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "minutes", "expected"),
    [
        # 23:59 exists on both change days: CDT after spring forward, CST after fall back.
        (CHICAGO, date(2026, 3, 8), 1439, datetime(2026, 3, 9, 4, 59, tzinfo=UTC)),
        (CHICAGO, date(2026, 11, 1), 1439, datetime(2026, 11, 2, 5, 59, tzinfo=UTC)),
        (LOS_ANGELES, date(2026, 3, 8), 1140, datetime(2026, 3, 9, 2, 0, tzinfo=UTC)),
        # Skipped (02:30 never shows on 2026-03-08): as long after midnight as it says,
        # two and a half hours, which the clocks show as 03:30 CDT.
        (CHICAGO, date(2026, 3, 8), 150, datetime(2026, 3, 8, 8, 30, tzinfo=UTC)),
        # Repeated (01:30 shows twice on 2026-11-01): the first time, still CDT.
        (CHICAGO, date(2026, 11, 1), 90, datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
    ids=["dst-starts", "dst-ends", "la-1900", "skipped-0230", "repeated-0130"],
)
def test_the_end_of_day_instant_follows_the_zone_rules(
    zone: str, day: date, minutes: int, expected: datetime
) -> None:
    assert end_of_day.end_of_day_at(zone, day, minutes) == expected


# --- the closing pass -----------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "day"), DAYS)
async def test_children_still_signed_in_at_2359_are_signed_out_at_2359_by_the_system(
    gql: GraphQLClient, world: World, clock: FrozenClock, zone: str, day: date
) -> None:
    site, room = _site(world, zone)
    ivy = await make.child(room, first_name="Ivy")
    jon = await make.child(room, first_name="Jon")
    clock.set(local(zone, day, 9, 0))
    await sign(gql, world.admin, room, [ivy, jon])
    clock.set(local(zone, day, 15, 0))
    await sign(gql, world.admin, room, [jon], out=True)

    clock.set(local(zone, day, 23, 58))
    assert await close(clock) == []
    clock.set(local(zone, day, 23, 59))
    [event] = await close(clock)
    assert (event.kind, event.source, event.actor_kind) == (
        EventKind.SIGN_OUT,
        EventSource.AUTO_CHECKOUT,
        ActorKind.SYSTEM,
    )
    assert event.occurred_at == local(zone, day, 23, 59)
    assert event.local_date == day
    assert str(event.child_id) == str(ivy.id)
    assert await AttendanceSession.filter(open_child__isnull=False).count() == 0
    # Audited as the system, in the same write.
    [entry] = await AuditEntry.filter(action="attendance.sign_out", actor_kind="SYSTEM")
    assert entry.data["source"] == "AUTO_CHECKOUT"
    # Once: later passes, that night and the next morning, find nothing to do.
    clock.advance(minutes=30)
    assert await close(clock) == []
    clock.set(local(zone, day + timedelta(days=1), 9, 0))
    assert await close(clock) == []
    assert await DayClose.filter(site_id=site.id).count() == 1

    rows = await roster(gql, world.admin, room, day)
    assert rows["Ivy"]["status"] == "SIGNED_OUT"
    assert rows["Ivy"]["signedOutAt"] == local(zone, day, 23, 59).isoformat()
    assert rows["Ivy"]["autoCheckedOut"] is True
    assert rows["Jon"]["autoCheckedOut"] is False
    [auto] = [e for e in rows["Ivy"]["events"] if e["source"] == "AUTO_CHECKOUT"]
    assert (auto["actorKind"], auto["needsConfirmation"]) == ("SYSTEM", True)


async def test_an_admin_sets_1900_and_the_day_closes_then(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    from tests.attendance.day_close_helpers import SETTINGS

    day = date(2026, 3, 4)
    token = await make.token_for(world.admin)
    variables = {"i": {"siteId": str(world.site.id), "endOfDay": "19:00:00"}}
    result = await gql.execute(SETTINGS, variables, token=token)
    assert result.data is not None, result.errors
    assert result.data["updateSiteSettings"] == {
        "site": {"settings": {"endOfDay": "19:00:00"}},
        "errors": [],
    }
    [audit] = await AuditEntry.filter(action="site.update_settings")
    assert audit.data == {
        "before": {"end_of_day_minutes": 1439},
        "after": {"end_of_day_minutes": 1140},
    }

    clock.set(local(CHICAGO, day, 8, 0))
    await sign(gql, world.teacher, world.room, world.kids[:1])
    clock.set(local(CHICAGO, day, 18, 59))
    assert await close(clock) == []
    clock.set(local(CHICAGO, day, 19, 0))
    [event] = await close(clock)
    assert event.occurred_at == local(CHICAGO, day, 19, 0)


@pytest.mark.parametrize("value", ["11:59:00", "00:00:00", "19:00:30", "19:00:00.500000"], ids=str)
async def test_an_end_of_day_before_noon_or_between_minutes_is_refused(
    gql: GraphQLClient, world: World, value: str
) -> None:
    from tests.attendance.day_close_helpers import SETTINGS

    variables = {"i": {"siteId": str(world.site.id), "endOfDay": value, "padLockMinutes": 10}}
    result = await gql.execute(SETTINGS, variables, token=await make.token_for(world.admin))
    assert result.data is not None, result.errors
    assert result.data["updateSiteSettings"] == {
        "site": None,
        "errors": [{"code": "OUT_OF_RANGE", "field": "endOfDay"}],
    }
    site = await Site.get(id=world.site.id)
    # Nothing written, not even the valid field beside it.
    assert (site.end_of_day_minutes, site.pad_lock_minutes) == (1439, 5)
    assert await AuditEntry.filter(action="site.update_settings").count() == 0


async def test_only_site_admins_change_the_end_of_day(gql: GraphQLClient, world: World) -> None:
    from tests.attendance.day_close_helpers import SETTINGS

    for staff, site in (
        (world.teacher, world.site),
        (world.viewer, world.site),
        (world.foreign_admin, world.site),
    ):
        variables = {"i": {"siteId": str(site.id), "endOfDay": "19:00:00"}}
        result = await gql.execute(SETTINGS, variables, token=await make.token_for(staff))
        refused = (result.data or {}).get("updateSiteSettings")
        codes = [e.get("extensions", {}).get("code") for e in result.errors]
        assert codes in (["FORBIDDEN"], ["NOT_FOUND"]) or (
            refused is not None and refused["site"] is None
        ), result
    assert (await Site.get(id=world.site.id)).end_of_day_minutes == 1439


async def test_a_worker_started_at_0900_catches_up_each_missed_day_at_its_own_end(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    monday = date(2026, 3, 2)
    ava, ben, cleo = world.kids
    clock.set(local(CHICAGO, monday, 9, 0))
    await sign(gql, world.teacher, world.room, [ava])
    clock.set(local(CHICAGO, monday + timedelta(days=1), 9, 0))
    await sign(gql, world.teacher, world.room, [ben])
    # Los Angeles has its own end of day, two hours after Chicago's.
    clock.set(local(CHICAGO, monday + timedelta(days=1), 10, 0))
    await sign(gql, world.admin, world.other_room, [await make.child(world.other_room)])

    # Down until Wednesday 09:00: one pass closes Monday's and Tuesday's sessions.
    clock.set(local(CHICAGO, monday + timedelta(days=2), 9, 0))
    events = await close(clock)
    closed = {str(e.child_id): e.occurred_at for e in events}
    assert closed[str(ava.id)] == local(CHICAGO, monday, 23, 59)
    assert closed[str(ben.id)] == local(CHICAGO, monday + timedelta(days=1), 23, 59)
    [la] = [e for e in events if str(e.site_id) == str(world.other_site.id)]
    assert la.occurred_at == local(LOS_ANGELES, monday + timedelta(days=1), 23, 59)
    assert len(events) == 3
    assert await close(clock) == []
    assert str(cleo.id) not in closed


async def test_two_workers_racing_close_each_child_once(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    day = date(2026, 3, 4)
    kids = world.kids + [await make.child(world.room) for _ in range(5)]
    clock.set(local(CHICAGO, day, 9, 0))
    await sign(gql, world.teacher, world.room, kids)
    clock.set(local(CHICAGO, day, 23, 59))
    # Two workers (as on two instances) on the same database, passing at the same moment.
    workers = [DayCloser(clock=clock, bus=EventBus(None)) for _ in range(4)]
    passes = await asyncio.gather(*(w.run_once() for w in workers), return_exceptions=True)
    assert [p for p in passes if isinstance(p, BaseException)] == []
    assert sorted(len(p) for p in passes if isinstance(p, list)) == [0, 0, 0, len(kids)]
    events = await auto_events()
    assert len(events) == len({str(e.child_id) for e in events}) == len(kids)
    assert await DayClose.filter(site_id=world.site.id).count() == 1
    assert await AuditEntry.filter(actor_kind="SYSTEM").count() == len(kids)


async def test_a_child_signed_in_after_the_end_of_day_is_closed_at_2359_of_that_day(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    day = date(2026, 3, 4)
    ava, ben = world.kids[:2]
    await Site.filter(id=world.site.id).update(end_of_day_minutes=19 * 60)
    clock.set(local(CHICAGO, day, 9, 0))
    await sign(gql, world.teacher, world.room, [ben])
    clock.set(local(CHICAGO, day, 19, 0))
    [closed] = await close(clock)
    assert closed.occurred_at == local(CHICAGO, day, 19, 0)
    clock.set(local(CHICAGO, day, 19, 30))
    await sign(gql, world.teacher, world.room, [ava])
    # Never signed out in the future, and today is closed already.
    clock.set(local(CHICAGO, day, 23, 59))
    assert await close(clock) == []
    clock.set(local(CHICAGO, day + timedelta(days=1), 19, 0))
    [event] = await close(clock)
    assert event.occurred_at == local(CHICAGO, day, 23, 59)
    assert event.local_date == day
