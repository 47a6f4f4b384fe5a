"""Sites and classrooms, scoped to what the caller may see."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet

from auth.principals import Principal, is_staff
from models.org import Classroom, Site
from services.errors import NotFound


def readable_sites(principal: Principal) -> QuerySet[Site]:
    """Staff see the sites of their agency they are assigned to (admins: all of them)."""
    if is_staff(principal):
        return Site.filter(agency_id=principal.agency_id, id__in=list(principal.site_ids))
    return Site.filter(id__in=[])


def readable_classrooms(principal: Principal) -> QuerySet[Classroom]:
    if is_staff(principal):
        return Classroom.filter(
            site__agency_id=principal.agency_id, site_id__in=list(principal.site_ids)
        )
    return Classroom.filter(id__in=[])


async def get_site(principal: Principal, site_id: UUID) -> Site:
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


def local_date(site: Site, moment: datetime) -> date:
    """The attendance day of a moment: the site's local date, not the server's."""
    return moment.astimezone(ZoneInfo(site.timezone)).date()
