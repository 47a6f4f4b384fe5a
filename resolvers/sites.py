"""Agency admins setting up sites and classrooms."""

from __future__ import annotations

from models.org import Classroom, Site
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import sites
from services.sites import NewSite, SiteChanges


async def create_site(info: Info, new: NewSite) -> Outcome[Site]:
    return await outcome(sites.create_site(info.context.staff, new, bus=info.context.bus))


async def update_site(info: Info, site_id: str, changes: SiteChanges) -> Outcome[Site]:
    return await outcome(sites.update_site(info.context.staff, object_id(site_id, "Site"), changes))


async def archive_site(info: Info, site_id: str) -> Outcome[Site]:
    ctx = info.context
    return await outcome(
        sites.archive_site(ctx.staff, object_id(site_id, "Site"), bus=ctx.bus, now=ctx.now())
    )


async def create_classroom(info: Info, site_id: str, name: str) -> Outcome[Classroom]:
    return await outcome(
        sites.create_classroom(info.context.staff, object_id(site_id, "Site"), name)
    )


async def rename_classroom(info: Info, classroom_id: str, name: str) -> Outcome[Classroom]:
    return await outcome(
        sites.rename_classroom(info.context.staff, object_id(classroom_id, "Classroom"), name)
    )


async def archive_classroom(info: Info, classroom_id: str) -> Outcome[Classroom]:
    ctx = info.context
    return await outcome(
        sites.archive_classroom(ctx.staff, object_id(classroom_id, "Classroom"), now=ctx.now())
    )
