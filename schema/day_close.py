"""The end-of-day review list: children the system signed out, for staff to check."""

from __future__ import annotations

import datetime

import strawberry

from auth.permissions import CanViewAttendance
from resolvers import day_close as day_close_resolvers
from resolvers.context import Info
from schema.attendance import AttendanceEvent
from schema.people import Child
from services import day_close


@strawberry.type(
    description="A child still signed in at the site's end of day, signed out by the system."
)
class AutoCheckout:
    child: Child
    classroom_id: strawberry.ID
    signed_in_at: datetime.datetime | None = strawberry.field(
        description="The sign-in of the visit the system closed."
    )
    event: AttendanceEvent = strawberry.field(
        description="The automatic sign-out (source AUTO_CHECKOUT, actor SYSTEM), waiting "
        "for a guardian's confirmation like a staff entry."
    )
    correction: AttendanceEvent | None = strawberry.field(
        description="The correction in force, once staff corrected the time "
        "(correctAttendanceTime with the latest entry's id)."
    )

    @classmethod
    def from_domain(cls, row: day_close.AutoCheckout) -> AutoCheckout:
        return cls(
            child=Child.from_model(row.child),
            classroom_id=strawberry.ID(str(row.classroom_id)),
            signed_in_at=row.signed_in_at,
            event=AttendanceEvent.from_model(row.event, row.signoff(row.event)),
            correction=(
                AttendanceEvent.from_model(row.correction, row.signoff(row.correction))
                if row.correction
                else None
            ),
        )


@strawberry.type
class DayCloseQuery:
    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="The children the system signed out at the end of a site-local day.",
    )
    async def auto_checkouts(
        self, info: Info, site_id: strawberry.ID, date: datetime.date
    ) -> list[AutoCheckout]:
        found = await day_close_resolvers.auto_checkouts(info, str(site_id), date)
        return [AutoCheckout.from_domain(r) for r in found]
