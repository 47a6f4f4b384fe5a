"""Deletes: a message, a family document or a moment, by the one who posted it."""

from __future__ import annotations

from models.documents import FamilyDocument
from models.messaging import Message
from resolvers.context import Info
from resolvers.outcome import not_found, object_id, raising
from services import removals
from services.moments import MomentView, tombstone_view


async def message(info: Info, message_id: str) -> Message:
    if not message_id.isdigit():
        raise not_found("Message")  # a malformed ID is just another unknown message
    ctx = info.context
    deleting = removals.delete_message(ctx.principal, int(message_id), ctx.now(), bus=ctx.bus)
    return await raising(deleting)


async def document(info: Info, document_id: str) -> FamilyDocument:
    ctx = info.context
    found = object_id(document_id, "Document")
    return await raising(removals.delete_document(ctx.principal, found, ctx.now()))


async def moment(info: Info, moment_id: str) -> MomentView:
    ctx = info.context
    found = object_id(moment_id, "Moment")
    return tombstone_view(await raising(removals.delete_moment(ctx.principal, found, ctx.now())))
