"""Subscriptions: live rosters and live counts, pushed over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from auth.permissions import CanViewAttendance
from resolvers import attendance as attendance_resolvers
from resolvers.context import Info
from schema.attendance import LiveCounts, RosterEntry
from schema.messaging import MessagingSubscription
from schema.pinpad import PinPadSubscription
from services.rosters import RosterEntry as DomainRosterEntry


@strawberry.type
class Subscription(PinPadSubscription, MessagingSubscription):
    @strawberry.subscription(
        permission_classes=[CanViewAttendance],
        description=(
            "A roster row each time a child's state changes. After the server lost contact "
            "with the broker, every row of the classroom is sent again."
        ),
    )
    async def roster_changed(
        self, info: Info, classroom_id: strawberry.ID
    ) -> AsyncGenerator[RosterEntry, None]:
        async for change in attendance_resolvers.roster_changes(info, str(classroom_id)):
            if isinstance(change, DomainRosterEntry):
                yield RosterEntry.from_domain(change)
            else:
                yield RosterEntry.from_change(change)

    @strawberry.subscription(
        permission_classes=[CanViewAttendance],
        description="The site's (or classroom's) counts for today at once, then every change.",
    )
    async def live_counts(
        self,
        info: Info,
        site_id: strawberry.ID,
        classroom_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[LiveCounts, None]:
        room = str(classroom_id) if classroom_id is not None else None
        program = str(program_id) if program_id is not None else None
        async for counts in attendance_resolvers.count_changes(info, str(site_id), room, program):
            yield LiveCounts.from_domain(counts)
