"""Moments: staff share photos, parents read their feed."""

from __future__ import annotations

from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import moments
from services.moments import MomentView


async def share(
    info: Info, child_id: str | None, classroom_id: str | None, caption: str, photo_id: str
) -> Outcome[MomentView]:
    ctx = info.context
    return await outcome(
        moments.share(
            ctx.principal,
            child_id=object_id(child_id, "Child") if child_id else None,
            classroom_id=object_id(classroom_id, "Classroom") if classroom_id else None,
            caption=caption,
            photo_id=object_id(photo_id, "File"),
            now=ctx.now(),
            bus=ctx.bus,
        )
    )


async def feed(info: Info, first: int, after: str | None) -> list[MomentView]:
    return await raising(moments.feed(info.context.principal, first, after))


async def shared_at(info: Info, site_id: str, first: int) -> list[MomentView]:
    site = object_id(site_id, "Site")
    return await raising(moments.shared_at(info.context.principal, site, first))
