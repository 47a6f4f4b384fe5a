"""Messages: sending, reading (receipts), history, and pushing both live after commit.

Every send and read is audited without the text. Live events go to the site's staff
channel and to each family account taking part, built once per message: subscribers
show them without reading the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import Principal, is_parent
from models.messaging import (
    Conversation,
    ConversationKind,
    ConversationReader,
    Message,
    ParticipantKind,
)
from models.people import Child
from realtime import channels
from realtime.bus import EventBus
from realtime.events import Event, MessagePosted, MessagesRead
from services import attachments, audit, conversations, message_notices, org, people
from services.attachments import AttachmentInfo
from services.conversations import Participant
from services.errors import DomainError, InvalidInput, NotFound
from services.message_notices import Member


class MessagingErrorCode(StrEnum):
    """Rule failures of sending a message."""

    EMPTY_MESSAGE = "EMPTY_MESSAGE"
    MESSAGE_TOO_LONG = "MESSAGE_TOO_LONG"
    # Families read a classroom's announcements; they answer in their own conversation.
    ANNOUNCEMENTS_ARE_READ_ONLY = "ANNOUNCEMENTS_ARE_READ_ONLY"


MAX_TEXT_LENGTH = 4000
DEFAULT_PAGE = 30
MAX_PAGE = 100


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    has_more: bool

    @property
    def end_cursor(self) -> str | None:
        return str(self.messages[-1].id) if self.messages else None


@dataclass(frozen=True)
class Receipt:
    conversation_id: str
    reader_kind: ParticipantKind
    reader_id: str
    reader_name: str
    through_message_id: str
    read_at: datetime | None


def _checked_text(text: str, with_files: bool = False) -> str:
    """Up to 4,000 characters with something besides blanks (or files), kept as typed."""
    if not text.strip() and not with_files:
        raise DomainError(MessagingErrorCode.EMPTY_MESSAGE, "Write something first.", "text")
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError(
            MessagingErrorCode.MESSAGE_TOO_LONG,
            f"A message holds at most {MAX_TEXT_LENGTH} characters.",
            "text",
        )
    return text


async def send(
    principal: Principal,
    conversation_id: UUID,
    text: str,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
    attachment_ids: Sequence[UUID] = (),
) -> Message:
    """Store the message with its files, advance the sender's own read pointer, queue
    notices for absent parents (staff messages only), all in one transaction; then
    publish."""
    body = _checked_text(text, with_files=bool(attachment_ids))
    conversation = await conversations.get_conversation(principal, conversation_id, now)
    if is_parent(principal) and conversation.kind is ConversationKind.CLASSROOM:
        raise DomainError(
            MessagingErrorCode.ANNOUNCEMENTS_ARE_READ_ONLY,
            "Announcements cannot be answered: write to the site in your own conversation.",
        )
    sender = await conversations.participant(principal, conversation)
    members = await audience(conversation, now)
    listening = await _listening(bus, members) if sender.kind is ParticipantKind.STAFF else set()
    async with in_transaction():
        message = await Message.create(
            conversation_id=conversation.id,
            sender_kind=sender.kind,
            sender_id=sender.id,
            sender_name=sender.name,
            body=body,
            sent_at=now,
        )
        files = await attachments.attach(sender.kind, sender.id, message, attachment_ids)
        await Conversation.filter(id=conversation.id).update(
            last_message_id=message.id, last_message_at=now
        )
        await _advance(conversation, sender, message.id, now)
        await audit.record(
            principal,
            "messaging.send",
            agency_id=conversation.agency_id,
            target_type="message",
            target_id=str(message.id),
            data={"conversation": str(conversation.id), "length": len(body), "files": len(files)},
        )
        if sender.kind is ParticipantKind.STAFF:
            await message_notices.notify_absent(
                secret, conversation, message, members, listening, now
            )
    event = posted(conversation, message, files)
    await bus.publish(_addressed(conversation, event, members, to_parents=True))
    return message


async def _listening(bus: EventBus, members: list[Member]) -> set[UUID]:
    by_channel = {channels.parent_messages(m.account_id): m.account_id for m in members}
    return {by_channel[c] for c in await bus.listened(list(by_channel))}


async def audience(conversation: Conversation, now: datetime) -> list[Member]:
    """The family accounts taking part: those linked to a guardian of the family (for an
    announcement, of each family with a child in the classroom today). Two queries."""
    if conversation.kind is ConversationKind.FAMILY:
        families: list[object] = [conversation.family_id]
    else:
        day = org.local_date(conversation.site, now)
        families = list(
            await Child.filter(
                id__in=Subquery(
                    people.active_enrollments(day)
                    .filter(classroom_id=conversation.classroom_id)
                    .values("child_id")
                )
            )
            .distinct()
            .values_list("family_id", flat=True)
        )
    members: dict[UUID, Member] = {}
    for _, member in await message_notices.members_of(families):
        members.setdefault(member.account_id, member)
    return list(members.values())


def posted(
    conversation: Conversation, message: Message, files: Sequence[AttachmentInfo] = ()
) -> MessagePosted:
    return MessagePosted(
        agency_id=str(conversation.agency_id),
        site_id=str(conversation.site_id),
        conversation_id=str(conversation.id),
        conversation_kind=conversation.kind.value,
        family_id=str(conversation.family_id) if conversation.family_id else None,
        classroom_id=str(conversation.classroom_id) if conversation.classroom_id else None,
        message_id=str(message.id),
        sender_kind=message.sender_kind.value,
        sender_id=str(message.sender_id),
        sender_name=message.sender_name,
        body=message.body,
        sent_at=message.sent_at.isoformat(),
        attachments=tuple(asdict(f) for f in files),
        deleted_at=message.deleted_at.isoformat() if message.deleted_at else None,
    )


async def publish_tombstone(
    bus: EventBus, conversation: Conversation, message: Message, now: datetime
) -> None:
    """After a delete commits: the message again, emptied, to everyone who heard it."""
    members = await audience(conversation, now)
    event = posted(conversation, message)
    await bus.publish(_addressed(conversation, event, members, to_parents=True))


def _addressed(
    conversation: Conversation, event: Event, members: list[Member], *, to_parents: bool
) -> list[tuple[str, Event]]:
    """The site's staff always; the taking-part accounts when ``to_parents``."""
    addressed: list[tuple[str, Event]] = [(channels.site_messages(conversation.site_id), event)]
    if to_parents:
        addressed += [(channels.parent_messages(m.account_id), event) for m in members]
    return addressed


# --- reading -----------------------------------------------------------------------------------


async def _advance(
    conversation: Conversation, reader: Participant, through: int, now: datetime
) -> bool:
    """Move the reader's pointer forward to ``through`` (never back); True if it moved."""
    mine = ConversationReader.filter(
        conversation_id=conversation.id, reader_kind=reader.kind, reader_id=reader.id
    )
    values: dict[str, Any] = {
        "last_read_message_id": through,
        "read_at": now,
        "reader_name": reader.name,
    }
    if await mine.filter(last_read_message_id__lt=through).update(**values):
        return True
    if await mine.exists():
        return False
    try:
        async with in_transaction():  # a savepoint: a lost race must not abort the caller
            await ConversationReader.create(
                conversation_id=conversation.id,
                reader_kind=reader.kind,
                reader_id=reader.id,
                **values,
            )
        return True
    except IntegrityError:
        return bool(await mine.filter(last_read_message_id__lt=through).update(**values))


async def mark_read(
    principal: Principal,
    conversation_id: UUID,
    through_message_id: int | None,
    *,
    bus: EventBus,
    now: datetime,
) -> Receipt | None:
    """Read up to a message (default: the newest). Staff see every reader; a family sees
    the readers of its own conversation, never other families' reads of announcements."""
    conversation = await conversations.get_conversation(principal, conversation_id, now)
    through = through_message_id or conversation.last_message_id
    if through_message_id is not None and not await Message.exists(
        id=through_message_id, conversation_id=conversation.id
    ):
        raise NotFound("Message")
    if not through:
        return None
    reader = await conversations.participant(principal, conversation)
    async with in_transaction():
        moved = await _advance(conversation, reader, through, now)
        if moved:
            await audit.record(
                principal,
                "messaging.read",
                agency_id=conversation.agency_id,
                target_type="conversation",
                target_id=conversation.id,
                data={"through": str(through)},
            )
    receipt = Receipt(
        str(conversation.id), reader.kind, str(reader.id), reader.name, str(through), now
    )
    if moved:
        family = conversation.kind is ConversationKind.FAMILY
        members = await audience(conversation, now) if family else []
        event = read_event(conversation, receipt)
        await bus.publish(_addressed(conversation, event, members, to_parents=family))
    return receipt


def read_event(conversation: Conversation, receipt: Receipt) -> MessagesRead:
    return MessagesRead(
        agency_id=str(conversation.agency_id),
        site_id=str(conversation.site_id),
        conversation_id=receipt.conversation_id,
        reader_kind=receipt.reader_kind.value,
        reader_id=receipt.reader_id,
        reader_name=receipt.reader_name,
        through_message_id=receipt.through_message_id,
        read_at=(receipt.read_at or conversation.created_at).isoformat(),
    )


async def receipts(principal: Principal, conversation_id: UUID, now: datetime) -> list[Receipt]:
    """How far each participant has read (parents of an announcement see staff only)."""
    conversation = await conversations.get_conversation(principal, conversation_id, now)
    query = ConversationReader.filter(conversation_id=conversation.id, last_read_message_id__gt=0)
    if is_parent(principal) and conversation.kind is ConversationKind.CLASSROOM:
        query = query.filter(reader_kind=ParticipantKind.STAFF)
    return [
        Receipt(
            str(conversation.id),
            r.reader_kind,
            str(r.reader_id),
            r.reader_name,
            str(r.last_read_message_id),
            r.read_at,
        )
        for r in await query.order_by("reader_kind", "reader_name")
    ]


async def history(
    principal: Principal, conversation_id: UUID, first: int, after: str | None, now: datetime
) -> Page:
    """Newest first; ``after`` is the ``endCursor`` of the page before."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"Ask for 1 to {MAX_PAGE} messages.", "first")
    conversation = await conversations.get_conversation(principal, conversation_id, now)
    query = Message.filter(conversation_id=conversation.id)
    if after is not None:
        if not after.isdigit():
            raise InvalidInput("Unknown cursor.", "after")
        query = query.filter(id__lt=int(after))
    rows = await query.order_by("-id").limit(first + 1)
    return Page(messages=rows[:first], has_more=len(rows) > first)
