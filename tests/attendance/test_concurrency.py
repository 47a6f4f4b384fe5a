"""At most one open session per child, guaranteed by the database under real races."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from auth.principals import StaffPrincipal
from models.attendance import AttendanceEvent, AttendanceSession
from models.audit import AuditEntry
from realtime.bus import EventBus
from services import staff_attendance
from services.attendance import Entry
from services.errors import DomainErrors
from tests import factories as make
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.world import World

ROUNDS = 20
RACERS = 8


async def test_concurrent_sign_ins_leave_exactly_one_open_session(
    gql: GraphQLClient, world: World
) -> None:
    principal = await gql.principal_for(await make.token_for(world.teacher))
    assert isinstance(principal, StaffPrincipal)
    bus = EventBus(None)
    kid = world.kids[0]

    async def sign_in() -> list[str] | None:
        """None when this racer won, else the refusal codes."""
        try:
            await staff_attendance.sign_in(
                principal,
                Entry([kid.id], world.room.id, None, None, None),
                bus=bus,
                secret=TEST_KEYRING,
                now=gql.clock.now(),
                skew=timedelta(minutes=2),
            )
        except DomainErrors as refused:
            return [e.code for e in refused.errors]
        return None

    for _ in range(ROUNDS):
        outcomes = await asyncio.gather(*(sign_in() for _ in range(RACERS)))
        assert outcomes.count(None) == 1
        assert all(codes == ["ALREADY_SIGNED_IN"] for codes in outcomes if codes is not None)
        assert await AttendanceSession.filter(open_child=kid.id).count() == 1
        assert (
            await AttendanceEvent.filter(kind="SIGN_IN").count()
            == await AuditEntry.filter(action="attendance.sign_in").count()
        )
        await staff_attendance.sign_out(
            principal,
            Entry([kid.id], world.room.id, None, None, None),
            bus=bus,
            secret=TEST_KEYRING,
            now=gql.clock.now(),
            skew=timedelta(minutes=2),
        )
    assert await AttendanceSession.filter(child_id=kid.id).count() == ROUNDS
