"""Sites and classrooms, scoped to what the caller may see."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_staff
from models.org import Classroom, Role, Site, StaffUser
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AccessChanged
from services import audit
from services.errors import NotFound


def readable_sites(principal: Principal) -> QuerySet[Site]:
    """Staff see the sites of their agency they are assigned to (admins: all of them)."""
    if is_staff(principal):
        return Site.filter(agency_id=principal.agency_id, id__in=list(principal.site_ids))
    return Site.filter(id__in=[])


async def sites(principal: Principal, *, include_archived: bool = False) -> list[Site]:
    """The caller's sites; archived ones (kept for their history) only when asked."""
    query = readable_sites(principal)
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    return await query.order_by("name")


def readable_classrooms(principal: Principal) -> QuerySet[Classroom]:
    """Archived classrooms included: their past rosters stay readable."""
    if is_staff(principal):
        return Classroom.filter(
            site__agency_id=principal.agency_id, site_id__in=list(principal.site_ids)
        )
    return Classroom.filter(id__in=[])


async def get_site(principal: Principal, site_id: UUID) -> Site:
    """One of the caller's sites, archived or not (its history stays readable)."""
    site = await readable_sites(principal).get_or_none(id=site_id)
    if site is None:
        raise NotFound("Site")
    return site


async def get_classroom(principal: Principal, classroom_id: UUID) -> Classroom:
    classroom = (
        await readable_classrooms(principal).filter(id=classroom_id).select_related("site").first()
    )
    if classroom is None:
        raise NotFound("Classroom")
    return classroom


def archived_by(archived_at: datetime | None, site: Site, on: date) -> bool:
    """Whether a site or classroom archived at ``archived_at`` is gone on day ``on``: from
    its local archive day on, it has no roster, count or pad list."""
    return archived_at is not None and local_date(site, archived_at) <= on


def local_date(site: Site, moment: datetime) -> date:
    """The attendance day of a moment: the site's local date, not the server's."""
    return moment.astimezone(ZoneInfo(site.timezone)).date()


async def assign_role(
    principal: StaffPrincipal, staff_id: UUID, role_id: UUID, bus: EventBus
) -> StaffUser:
    """Give a staff member another role; their open sockets close and reopen with it."""
    async with in_transaction():
        staff = (
            await StaffUser.filter(id=staff_id, agency_id=principal.agency_id)
            .select_for_update()
            .first()
        )
        if staff is None:
            raise NotFound("Staff member")
        role = await Role.get_or_none(id=role_id, agency_id=principal.agency_id)
        if role is None:
            raise NotFound("Role")
        before = str(staff.role_id) if staff.role_id else None
        staff.role = role
        await staff.save(update_fields=["role_id"])
        await audit.record(
            principal,
            "access.assign_role",
            agency_id=principal.agency_id,
            target_type="staff",
            target_id=staff.id,
            data={"before": before, "after": str(role.id)},
        )
    await access_changed(bus, [staff.id])
    return staff


async def access_changed(bus: EventBus, staff_ids: list[UUID]) -> None:
    """After commit: the staff members' open sockets close and reconnect with their
    current access (their next HTTP request reads it anyway)."""
    await bus.publish(
        [(channels.access(staff_id), AccessChanged(str(staff_id), None)) for staff_id in staff_ids]
    )
