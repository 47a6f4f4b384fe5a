"""Documents: staff post to a family, parents submit back, both list them."""

from __future__ import annotations

from models.documents import DocumentDirection, FamilyDocument
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import documents


async def add(
    info: Info, family_id: str | None, title: str, file_id: str
) -> Outcome[FamilyDocument]:
    ctx = info.context
    return await outcome(
        documents.add(
            ctx.principal,
            object_id(family_id, "Family") if family_id else None,
            title,
            object_id(file_id, "File"),
            ctx.now(),
            bus=ctx.bus,
        )
    )


async def listed(
    info: Info, family_id: str | None, direction: DocumentDirection | None
) -> list[FamilyDocument]:
    family = object_id(family_id, "Family") if family_id else None
    return await raising(documents.documents(info.context.principal, family, direction))
