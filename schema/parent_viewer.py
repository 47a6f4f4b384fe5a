"""What a signed-in family account reads about itself: ``viewer`` as a parent, and a
child's day as the family app shows it."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from auth.principals import ParentPrincipal
from resolvers import confirmations as confirmation_resolvers
from resolvers import family as family_resolvers
from resolvers import family_records as family_record_resolvers
from resolvers.context import Info
from schema.access import StaffViewer
from schema.attendance import AttendanceStatus
from schema.confirmations import UnconfirmedEntry
from schema.kiosk import KioskViewer
from schema.messaging import UnreadMessages
from schema.people import Child, FamilyAdult
from services import parent_views


@strawberry.type(description="A child's attendance on one site-local day, as a parent sees it.")
class ChildDay:
    date: datetime.date
    status: AttendanceStatus
    signed_in_at: datetime.datetime | None
    signed_out_at: datetime.datetime | None
    absence_reason: str | None
    timezone: str | None = strawberry.field(description="The site's zone: show times in it.")

    @classmethod
    def from_domain(cls, day: parent_views.FamilyDay) -> ChildDay:
        return cls(
            date=day.date,
            status=AttendanceStatus[day.day.status.value],
            signed_in_at=day.day.signed_in_at,
            signed_out_at=day.day.signed_out_at,
            absence_reason=day.day.absence_reason,
            timezone=day.timezone,
        )


@strawberry.type(description="A signed-in family account: only its own children.")
class ParentViewer(UnreadMessages):
    account_id: strawberry.ID
    login: str

    @strawberry.field(description="The children of your guardians, at every agency you joined.")
    async def children(self, info: Info) -> list[Child]:
        found = await family_resolvers.children(info)
        return [Child.from_model(kid, today=day) for kid, day in found]

    @strawberry.field(
        description="Your own guardian records, then your families' contacts and pickups "
        "(edit them with updateMyContact and the family contact mutations)."
    )
    async def family_adults(self, info: Info) -> list[FamilyAdult]:
        return [
            FamilyAdult.from_model(a) for a in await family_record_resolvers.my_family_adults(info)
        ]

    @strawberry.field(
        description="Staff entries of the last 31 days for you to confirm and sign "
        "(confirmAttendance), oldest first, for all your children at once."
    )
    async def unconfirmed_entries(self, info: Info) -> list[UnconfirmedEntry]:
        found = await confirmation_resolvers.unconfirmed(info)
        return [UnconfirmedEntry.from_domain(u) for u in found]

    @classmethod
    def from_principal(cls, principal: ParentPrincipal) -> ParentViewer:
        return cls(account_id=strawberry.ID(str(principal.account_id)), login=principal.login)


Viewer = Annotated[StaffViewer | ParentViewer | KioskViewer, strawberry.union("Viewer")]
