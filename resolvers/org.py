from __future__ import annotations

from models.org import Classroom, Site, StaffUser
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import org


async def sites(info: Info, include_archived: bool = False) -> list[Site]:
    return await org.sites(info.context.principal, include_archived=include_archived)


async def classroom(info: Info, classroom_id: str) -> Classroom:
    return await raising(
        org.get_classroom(info.context.principal, object_id(classroom_id, "Classroom"))
    )


async def classrooms_of(info: Info, site: Site, include_archived: bool = False) -> list[Classroom]:
    return await info.context.loaders.classrooms_by_site.load((site.id, include_archived))


async def assign_role(info: Info, staff_id: str, role_id: str) -> Outcome[StaffUser]:
    ctx = info.context
    return await outcome(
        org.assign_role(
            ctx.staff, object_id(staff_id, "Staff member"), object_id(role_id, "Role"), ctx.bus
        )
    )
