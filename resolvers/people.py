from __future__ import annotations

from datetime import date
from uuid import UUID

from models.people import Child, Enrollment, FamilyAdult
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import people


async def child(info: Info, child_id: str) -> Child:
    return await raising(people.get_child(info.context.principal, object_id(child_id, "Child")))


async def children(info: Info, classroom_id: str, on: date | None) -> list[Child]:
    ctx = info.context
    room = object_id(classroom_id, "Classroom")
    return await raising(people.enrolled_children(ctx.principal, room, on, ctx.now()))


async def adults_of(info: Info, child: Child) -> list[FamilyAdult]:
    return await info.context.loaders.adults_by_family.load(UUID(str(child.family_id)))


async def update_child(info: Info, child_id: str, changes: people.ChildChanges) -> Outcome[Child]:
    ctx = info.context
    return await outcome(
        people.update_child(
            ctx.staff, object_id(child_id, "Child"), changes, today=ctx.now().date()
        )
    )


async def create_child(info: Info, new: people.NewChild) -> Outcome[Child]:
    ctx = info.context
    return await outcome(people.create_child(ctx.staff, new, ctx.now()))


async def enrollments_of(info: Info, child: Child) -> list[Enrollment]:
    ctx = info.context
    return await ctx.loaders.enrollments_by_child(ctx.principal).load(UUID(str(child.id)))
