"""Messaging: conversations, messages, receipts, and the live feed of both."""

from __future__ import annotations

from collections.abc import AsyncIterator

from auth.principals import is_parent, is_staff
from models.messaging import Message
from realtime import channels
from realtime.bus import Resync
from realtime.events import MessagePosted, MessagesRead
from resolvers.context import Info
from resolvers.outcome import Outcome, bad_input, not_found, object_id, outcome, raising
from resolvers.subscriptions import listening
from services import conversations, messaging, org
from services.conversations import ConversationView
from services.messaging import Page, Receipt

Activity = MessagePosted | MessagesRead | Resync


def _message_id(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise not_found("Message")  # a malformed ID is just another unknown message
    return int(value)


async def conversation_list(info: Info, site_id: str | None, first: int) -> list[ConversationView]:
    ctx = info.context
    site = object_id(site_id, "Site") if site_id is not None else None
    return await raising(conversations.conversations(ctx.principal, site, first, ctx.now()))


async def conversation(info: Info, conversation_id: str) -> ConversationView:
    ctx = info.context
    found = await raising(
        conversations.get_conversation(
            ctx.principal, object_id(conversation_id, "Conversation"), ctx.now()
        )
    )
    return (await conversations.views(ctx.principal, [found]))[0]


async def history(info: Info, conversation_id: str, first: int, after: str | None) -> Page:
    ctx = info.context
    return await raising(
        messaging.history(
            ctx.principal, object_id(conversation_id, "Conversation"), first, after, ctx.now()
        )
    )


async def receipts(info: Info, conversation_id: str) -> list[Receipt]:
    ctx = info.context
    return await raising(
        messaging.receipts(ctx.principal, object_id(conversation_id, "Conversation"), ctx.now())
    )


async def unread_total(info: Info) -> int:
    return await conversations.total_unread(info.context.principal, info.context.now())


async def open_conversation(
    info: Info, site_id: str | None, family_id: str | None, classroom_id: str | None
) -> Outcome[ConversationView]:
    ctx = info.context
    return await outcome(
        conversations.open_conversation(
            ctx.principal,
            site_id=object_id(site_id, "Site") if site_id else None,
            family_id=object_id(family_id, "Family") if family_id else None,
            classroom_id=object_id(classroom_id, "Classroom") if classroom_id else None,
            now=ctx.now(),
        )
    )


async def send(
    info: Info, conversation_id: str, text: str, attachment_ids: list[str]
) -> Outcome[Message]:
    ctx = info.context
    return await outcome(
        messaging.send(
            ctx.principal,
            object_id(conversation_id, "Conversation"),
            text,
            bus=ctx.bus,
            secret=ctx.settings.secret,
            now=ctx.now(),
            attachment_ids=[object_id(i, "Attachment") for i in attachment_ids],
        )
    )


async def mark_read(
    info: Info, conversation_id: str, through_message_id: str | None
) -> Outcome[Receipt | None]:
    ctx = info.context
    return await outcome(
        messaging.mark_read(
            ctx.principal,
            object_id(conversation_id, "Conversation"),
            _message_id(through_message_id),
            bus=ctx.bus,
            now=ctx.now(),
        )
    )


async def activity(info: Info, site_id: str | None) -> AsyncIterator[Activity]:
    """Staff: one of their sites (required). Parents: their own account's feed, narrowed
    to one site when given. Filtering reads only the event."""
    ctx = info.context
    principal = ctx.principal
    if is_staff(principal):
        if site_id is None:
            raise bad_input("Staff listen to one site at a time.", "siteId")
        site = await raising(org.get_site(principal, object_id(site_id, "Site")))
        channel = channels.site_messages(site.id)
        wanted = None
    else:
        assert is_parent(principal), "CanMessage admits staff and parents only"
        channel = channels.parent_messages(principal.account_id)
        wanted = str(object_id(site_id, "Site")) if site_id is not None else None
    async with listening(info, channel) as events:
        async for event in events:
            if isinstance(event, Resync) or (
                isinstance(event, MessagePosted | MessagesRead) and wanted in (None, event.site_id)
            ):
                yield event
