"""The time the server stored an entry is the injected clock's, on every path.

``recorded_at`` orders live updates against roster reads and is shown as when the server
received an entry, so it must come from the same clock as every rule: the frozen test clock
here stands eight months before the machine's, so a value from the machine's clock shows.
"""

from __future__ import annotations

from datetime import timedelta

from models.attendance import AttendanceEvent, EventKind
from tests import factories as make
from tests.attendance.day_close_helpers import close, sign
from tests.attendance.sync_helpers import SYNC, batch, entry, outcomes
from tests.clock import FrozenClock
from tests.graphql import GraphQLClient
from tests.world import World

MARK_ABSENT = """
mutation($i: MarkAbsentInput!) { markAbsent(input: $i) { errors { code field } } }
"""


async def test_staff_entries_and_absences_are_stamped_by_the_clock(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    ava, ben = world.kids[0], world.kids[1]
    await sign(gql, world.teacher, world.room, [ava])
    clock.advance(timedelta(minutes=7))
    await sign(gql, world.teacher, world.room, [ava], out=True)
    absent = await gql.execute(
        MARK_ABSENT,
        {"i": {"childId": str(ben.id), "date": "2026-03-04", "reason": "Fever"}},
        token=await make.token_for(world.teacher),
    )
    assert absent.data["markAbsent"]["errors"] == []

    signed_in = await AttendanceEvent.get(child_id=ava.id, kind=EventKind.SIGN_IN)
    signed_out = await AttendanceEvent.get(child_id=ava.id, kind=EventKind.SIGN_OUT)
    absence = await AttendanceEvent.get(child_id=ben.id, kind=EventKind.ABSENT)
    assert signed_out.recorded_at - signed_in.recorded_at == timedelta(minutes=7)
    assert signed_out.recorded_at == clock.now()
    assert absence.recorded_at == clock.now()


async def test_synced_and_automatic_entries_are_stamped_by_the_clock(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    ava = world.kids[0]
    morning = clock.now() - timedelta(hours=2)
    synced = await gql.execute(
        SYNC,
        batch("tablet-1", [entry("SIGN_IN", ava, world.room, morning)]),
        token=await make.token_for(world.teacher),
    )
    assert outcomes(synced) == ["RECORDED"]
    received = clock.now()
    clock.advance(timedelta(days=1))

    [closed] = await close(clock)

    assert (await AttendanceEvent.get(child_id=ava.id, kind=EventKind.SIGN_IN)).recorded_at == (
        received
    )
    assert closed.recorded_at == clock.now()
