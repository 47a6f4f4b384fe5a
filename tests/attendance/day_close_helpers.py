"""Shared steps of the end-of-day tests: local moments, staff entries, the closing pass."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from jobs.day_close import DayCloser
from models.attendance import AttendanceEvent
from models.org import Classroom, StaffUser
from models.people import Child
from realtime.bus import EventBus
from tests import factories as make
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient

SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code field } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code field } } }"
ROSTER = """
query($id: ID!, $on: Date) {
  classroom(id: $id) { roster(date: $on) {
    child { firstName } status signedInAt signedOutAt autoCheckedOut
    events { id kind at actorKind source authMethod needsConfirmation correctsId }
  } }
}
"""
SETTINGS = """
mutation($i: UpdateSiteSettingsInput!) {
  updateSiteSettings(input: $i) { site { settings { endOfDay } } errors { code field } }
}
"""


def local(zone: str, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def sign(
    gql: GraphQLClient,
    staff: StaffUser,
    room: Classroom,
    kids: list[Child],
    *,
    out: bool = False,
) -> None:
    variables = {"i": {"childIds": [str(k.id) for k in kids], "classroomId": str(room.id)}}
    result = await gql.execute(
        SIGN_OUT if out else SIGN_IN, variables, token=await make.token_for(staff)
    )
    assert result.errors == [], result.errors
    assert result.data is not None
    assert result.data["signOut" if out else "signIn"]["errors"] == [], result.data


async def roster(
    gql: GraphQLClient, staff: StaffUser, room: Classroom, on: date
) -> dict[str, dict[str, Any]]:
    result = await gql.execute(
        ROSTER, {"id": str(room.id), "on": on.isoformat()}, token=await make.token_for(staff)
    )
    assert result.errors == [], result.errors
    assert result.data is not None
    return {e["child"]["firstName"]: e for e in result.data["classroom"]["roster"]}


async def close(clock: FrozenClock, bus: EventBus | None = None) -> list[AttendanceEvent]:
    """One pass of the end-of-day job at the test clock's now."""
    return await DayCloser(clock=clock, bus=bus or EventBus(None)).run_once()


async def auto_events() -> list[AttendanceEvent]:
    return await AttendanceEvent.filter(source="AUTO_CHECKOUT").order_by("occurred_at")
