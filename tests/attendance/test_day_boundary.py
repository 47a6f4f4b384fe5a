"""An attendance day is the site's local date: it turns at the site's midnight.

Every test puts the test clock at a named local moment in a site's zone: ordinary days in
Chicago and Los Angeles, and the days daylight saving starts (2026-03-08) and ends
(2026-11-01), when the local day is 23 or 25 hours long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models.org import Classroom, StaffUser
from models.people import Child
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.world import World

CHANGE = """
mutation($i: SignInInput!) { signIn(input: $i) { errors { code field } } }
"""
OUT = """
mutation($i: SignOutInput!) {
  signOut(input: $i) { entries { status signedInAt signedOutAt } errors { code field } }
}
"""
ROSTER = """
query($id: ID!, $on: Date) {
  classroom(id: $id) { roster(date: $on) { child { firstName } status signedInAt signedOutAt } }
}
"""
COUNTS = """
query($site: ID!) { liveCounts(siteId: $site) { enrolled signedIn signedOut incomplete } }
"""

# (zone, local date): ordinary days, and the days daylight saving starts and ends.
DAYS = [
    pytest.param("America/Chicago", date(2026, 3, 4), id="chicago"),
    pytest.param("America/Los_Angeles", date(2026, 3, 4), id="los-angeles"),
    pytest.param("America/Chicago", date(2026, 3, 8), id="chicago-dst-starts"),
    pytest.param("America/Chicago", date(2026, 11, 1), id="chicago-dst-ends"),
    pytest.param("America/Los_Angeles", date(2026, 11, 1), id="los-angeles-dst-ends"),
]


def local(zone: str, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass
class Room:
    """A classroom of two children at a site in ``zone``, and staff who edit there."""

    room: Classroom
    kids: list[Child]
    staff: StaffUser
    site_id: str

    async def token(self) -> str:
        # Issued at the test clock's current time: tests jump days, past a token's expiry.
        return await make.token_for(self.staff)


@pytest.fixture
def room_in(gql: GraphQLClient, world: World) -> Any:
    async def build(zone: str) -> Room:
        site = world.site if zone == world.site.timezone else world.other_site
        assert site.timezone == zone
        room = await make.classroom(site, f"Room {zone}")
        kids = [await make.child(room, first_name=name) for name in ("Ivy", "Jon")]
        return Room(room, kids, world.admin, str(site.id))

    return build


def _input(room: Room, kids: list[Child], at: datetime | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "childIds": [str(k.id) for k in kids],
        "classroomId": str(room.room.id),
    }
    if at is not None:
        fields["at"] = at.isoformat()
    return {"i": fields}


async def _signed(gql: GraphQLClient, query: str, room: Room, kids: list[Child]) -> Any:
    result = await gql.execute(query, _input(room, kids), token=await room.token())
    assert result.errors == [], result
    return result.data


async def _today(gql: GraphQLClient, room: Room) -> tuple[dict[str, str], dict[str, int]]:
    token = await room.token()
    roster = await gql.execute(ROSTER, {"id": str(room.room.id)}, token=token)
    counts = await gql.execute(COUNTS, {"site": room.site_id}, token=token)
    assert roster.errors == counts.errors == [], (roster, counts)
    statuses = {e["child"]["firstName"]: e["status"] for e in roster.data["classroom"]["roster"]}  # type: ignore[index]
    return statuses, counts.data["liveCounts"]  # type: ignore[index]


@pytest.mark.parametrize(("zone", "day"), DAYS)
async def test_a_child_signed_in_at_2350_is_signed_out_at_0010_the_next_day(
    gql: GraphQLClient, room_in: Any, clock: FrozenClock, zone: str, day: date
) -> None:
    room = await room_in(zone)
    ivy = room.kids[:1]
    clock.set(local(zone, day, 23, 50))
    data = await _signed(gql, CHANGE, room, ivy)
    assert data["signIn"]["errors"] == []
    assert (await _today(gql, room))[0]["Ivy"] == "SIGNED_IN"

    clock.advance(minutes=20)
    assert clock.now() == local(zone, day + timedelta(days=1), 0, 10)
    data = await _signed(gql, OUT, room, ivy)
    assert data["signOut"]["errors"] == []
    # The visit stays on the day it began, closed at 00:10; the new day starts empty.
    token = await room.token()
    began = await gql.execute(ROSTER, {"id": str(room.room.id), "on": day.isoformat()}, token=token)
    [visit] = [e for e in began.data["classroom"]["roster"] if e["child"]["firstName"] == "Ivy"]  # type: ignore[index]
    assert visit == {
        "child": {"firstName": "Ivy"},
        "status": "SIGNED_OUT",
        "signedInAt": local(zone, day, 23, 50).isoformat(),
        "signedOutAt": clock.now().isoformat(),
    }
    statuses, counts = await _today(gql, room)
    assert statuses["Ivy"] == "NOT_ARRIVED"
    assert (counts["signedIn"], counts["signedOut"]) == (0, 0)


@pytest.mark.parametrize(("zone", "day"), DAYS)
@pytest.mark.parametrize(("hour", "minute"), [(0, 20), (23, 50)], ids=["0020", "2350"])
async def test_today_is_the_sites_local_date_at_both_ends_of_the_day(
    gql: GraphQLClient,
    room_in: Any,
    clock: FrozenClock,
    zone: str,
    day: date,
    hour: int,
    minute: int,
) -> None:
    room = await room_in(zone)
    ivy, jon = room.kids
    # Ivy came and went the evening before: none of that is today.
    clock.set(local(zone, day - timedelta(days=1), 21, 0))
    await _signed(gql, CHANGE, room, [ivy])
    clock.advance(minutes=30)
    await _signed(gql, OUT, room, [ivy])

    clock.set(local(zone, day, hour, minute))
    await _signed(gql, CHANGE, room, [jon])
    statuses, counts = await _today(gql, room)
    assert statuses == {"Ivy": "NOT_ARRIVED", "Jon": "SIGNED_IN"}
    assert (counts["signedIn"], counts["signedOut"]) == (1, 0)


@pytest.mark.parametrize(("zone", "day"), DAYS)
async def test_yesterday_is_locked_right_after_local_midnight(
    gql: GraphQLClient, room_in: Any, clock: FrozenClock, zone: str, day: date
) -> None:
    room = await room_in(zone)
    ivy = room.kids[:1]
    clock.set(local(zone, day, 0, 5))
    token = await room.token()
    yesterday = local(zone, day - timedelta(days=1), 23, 55)
    late = await gql.execute(CHANGE, _input(room, ivy, yesterday), token=token)
    assert late.data["signIn"]["errors"] == [{"code": "PAST_DAY_LOCKED", "field": "at"}]  # type: ignore[index]
    early = await gql.execute(CHANGE, _input(room, ivy, local(zone, day, 0, 1)), token=token)
    assert early.data["signIn"]["errors"] == []  # type: ignore[index]
