from __future__ import annotations

import datetime
from enum import Enum

import strawberry

from auth.permissions import CanViewAttendance, IsStaff
from models import org as org_models
from resolvers import attendance as attendance_resolvers
from resolvers import org as org_resolvers
from resolvers.context import Info
from schema.attendance import RosterEntry


@strawberry.type
class Classroom:
    id: strawberry.ID
    name: str
    site_id: strawberry.ID
    archived_at: datetime.datetime | None = strawberry.field(
        description="Set once archived: no roster from that day on; earlier days stay."
    )

    _model: strawberry.Private[org_models.Classroom]

    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description=(
            "Every child enrolled here on that day (default: the site's today), only those "
            "of one program when programId is given."
        ),
    )
    async def roster(
        self,
        info: Info,
        date: datetime.date | None = None,
        program_id: strawberry.ID | None = None,
    ) -> list[RosterEntry] | None:
        program = str(program_id) if program_id is not None else None
        entries = await attendance_resolvers.roster(info, self._model, date, program)
        return [RosterEntry.from_domain(e) for e in entries]

    @classmethod
    def from_model(cls, classroom: org_models.Classroom) -> Classroom:
        return cls(
            id=strawberry.ID(str(classroom.id)),
            name=classroom.name,
            site_id=strawberry.ID(str(classroom.site_id)),
            archived_at=classroom.archived_at,
            _model=classroom,
        )


@strawberry.enum
class ContactlessMode(Enum):
    STATIC = "STATIC"
    DYNAMIC = "DYNAMIC"


@strawberry.type(description="How a site's pads, staff entries and contactless code behave.")
class SiteSettings:
    staff_requires_pin: bool = strawberry.field(
        description="Staff entries must be confirmed with the staff member's own PIN."
    )
    allow_past_day_edits: bool
    contactless_enabled: bool
    contactless_mode: ContactlessMode = strawberry.field(
        description="STATIC codes never expire (until rotated); DYNAMIC ones change daily."
    )
    pad_lock_failures: int = strawberry.field(
        description="Wrong PINs within the window that lock one pad."
    )
    pad_lock_window_minutes: int
    pad_lock_minutes: int = strawberry.field(description="How long a locked pad stays locked.")
    site_daily_pin_failures: int = strawberry.field(
        description="Wrong PINs in a day, across the site's pads, that lock them all "
        "until a staff PIN unlocks them."
    )
    end_of_day: datetime.time = strawberry.field(
        description="Site-local: children still signed in then are signed out by the system."
    )

    @classmethod
    def from_model(cls, site: org_models.Site) -> SiteSettings:
        return cls(
            staff_requires_pin=site.staff_requires_pin,
            allow_past_day_edits=site.allow_past_day_edits,
            contactless_enabled=site.contactless_enabled,
            contactless_mode=ContactlessMode(site.contactless_mode.value),
            pad_lock_failures=site.pad_lock_failures,
            pad_lock_window_minutes=site.pad_lock_window_minutes,
            pad_lock_minutes=site.pad_lock_minutes,
            site_daily_pin_failures=site.site_daily_pin_failures,
            end_of_day=datetime.time(*divmod(site.end_of_day_minutes, 60)),
        )


@strawberry.type
class Site:
    id: strawberry.ID
    name: str
    timezone: str = strawberry.field(description="IANA time zone: an attendance day is local.")
    staff_requires_pin: bool = strawberry.field(
        description="Staff entries must be confirmed with the staff member's own PIN."
    )
    allow_past_day_edits: bool
    address: str
    archived_at: datetime.datetime | None = strawberry.field(
        description="Set once archived: out of lists, counts and tablets; history kept."
    )

    _model: strawberry.Private[org_models.Site]

    @strawberry.field
    async def classrooms(self, info: Info, include_archived: bool = False) -> list[Classroom]:
        rooms = await org_resolvers.classrooms_of(info, self._model, include_archived)
        for room in rooms:
            # The roster needs the site (time zone); it is this one.
            room.site = self._model
        return [Classroom.from_model(c) for c in rooms]

    @strawberry.field(permission_classes=[IsStaff])
    def settings(self) -> SiteSettings | None:
        return SiteSettings.from_model(self._model)

    @classmethod
    def from_model(cls, site: org_models.Site) -> Site:
        return cls(
            id=strawberry.ID(str(site.id)),
            name=site.name,
            timezone=site.timezone,
            staff_requires_pin=site.staff_requires_pin,
            allow_past_day_edits=site.allow_past_day_edits,
            address=site.address,
            archived_at=site.archived_at,
            _model=site,
        )


@strawberry.input
class AssignStaffRoleInput:
    staff_id: strawberry.ID
    role_id: strawberry.ID


@strawberry.type
class AssignStaffRolePayload:
    ok: bool
