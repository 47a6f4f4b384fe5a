"""Messaging: family conversations, classroom announcements, receipts, the live feed.

Message text is plain text, returned exactly as typed: clients must display it as text
(never as HTML or Markdown), so nothing a sender types can inject markup.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncGenerator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry

from auth.permissions import CanMessage, IsStaffOrParent
from auth.principals import is_parent, is_staff
from models import messaging as models
from realtime.bus import Resync
from realtime.events import MessagePosted, MessagesRead
from resolvers import files as file_resolvers
from resolvers import messaging as messaging_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from schema.files import Attachment
from services import attachments, conversations, messaging
from services.conversations import ConversationView

strawberry.enum(models.ConversationKind, name="ConversationKind")
strawberry.enum(models.ParticipantKind, name="ParticipantKind")


def _is_me(info: Info, kind: str, who: str) -> bool:
    principal = info.context.principal
    if is_staff(principal):
        return kind == models.ParticipantKind.STAFF.value and who == str(principal.user_id)
    if is_parent(principal):
        return kind == models.ParticipantKind.PARENT.value and who == str(principal.account_id)
    return False


@strawberry.type(description="One message. `text` is plain text, exactly as typed.")
class Message:
    id: strawberry.ID
    conversation_id: strawberry.ID
    sender_kind: models.ParticipantKind
    sender_name: str
    text: str
    sent_at: datetime.datetime
    sender_id: strawberry.Private[str]
    deleted_at: datetime.datetime | None = strawberry.field(
        default=None,
        description="Set when the sender deleted it: `text` is empty, no files. "
        "`messageReceived` sends the tombstone again under the same `id`: replace it.",
    )
    # Carried by a live event; read through a loader otherwise.
    files: strawberry.Private[list[Attachment] | None] = None

    @strawberry.field(description="Photos and PDFs sent with it, in upload order.")
    async def attachments(self, info: Info) -> list[Attachment]:
        if self.files is not None:
            return self.files
        found = await file_resolvers.of_message(info, int(self.id))
        return [Attachment.from_domain(f) for f in found]

    @strawberry.field(description="Whether you sent it.")
    def from_you(self, info: Info) -> bool:
        return _is_me(info, self.sender_kind.value, self.sender_id)

    @classmethod
    def from_model(cls, message: models.Message) -> Message:
        return cls(
            id=strawberry.ID(str(message.id)),
            conversation_id=strawberry.ID(str(message.conversation_id)),
            sender_kind=models.ParticipantKind(message.sender_kind),
            sender_name=message.sender_name,
            text=message.body,
            sent_at=message.sent_at,
            sender_id=str(message.sender_id),
            deleted_at=message.deleted_at,
        )

    @classmethod
    def from_event(cls, event: MessagePosted) -> Message:
        return cls(
            id=strawberry.ID(event.message_id),
            conversation_id=strawberry.ID(event.conversation_id),
            sender_kind=models.ParticipantKind(event.sender_kind),
            sender_name=event.sender_name,
            text=event.body,
            sent_at=datetime.datetime.fromisoformat(event.sent_at),
            sender_id=event.sender_id,
            files=[Attachment.from_event(f) for f in event.attachments],
            deleted_at=datetime.datetime.fromisoformat(event.deleted_at)
            if event.deleted_at
            else None,
        )


@strawberry.type(description="How far one participant has read a conversation.")
class ReadReceipt:
    conversation_id: strawberry.ID
    reader_kind: models.ParticipantKind
    reader_name: str
    through_message_id: strawberry.ID = strawberry.field(
        description="Every message up to this one (ids increase) has been read."
    )
    read_at: datetime.datetime | None
    reader_id: strawberry.Private[str]

    @strawberry.field(description="Whether this is your own receipt.")
    def is_you(self, info: Info) -> bool:
        return _is_me(info, self.reader_kind.value, self.reader_id)

    @classmethod
    def from_domain(cls, receipt: messaging.Receipt) -> ReadReceipt:
        return cls(
            conversation_id=strawberry.ID(receipt.conversation_id),
            reader_kind=models.ParticipantKind(receipt.reader_kind),
            reader_name=receipt.reader_name,
            through_message_id=strawberry.ID(receipt.through_message_id),
            read_at=receipt.read_at,
            reader_id=receipt.reader_id,
        )

    @classmethod
    def from_event(cls, event: MessagesRead) -> ReadReceipt:
        return cls(
            conversation_id=strawberry.ID(event.conversation_id),
            reader_kind=models.ParticipantKind(event.reader_kind),
            reader_name=event.reader_name,
            through_message_id=strawberry.ID(event.through_message_id),
            read_at=datetime.datetime.fromisoformat(event.read_at),
            reader_id=event.reader_id,
        )


@strawberry.type(
    description="The server lost contact with the broker: events may be missing. Refetch "
    "your conversations and unread counts."
)
class MessagesResync:
    refetch: bool = True


MessageActivity = Annotated[
    Message | ReadReceipt | MessagesResync, strawberry.union("MessageActivity")
]


@strawberry.type(description="A page of history, newest first.")
class MessagePage:
    messages: list[Message]
    end_cursor: str | None = strawberry.field(description="Pass as `after` for older ones.")
    has_more: bool

    @classmethod
    def from_domain(cls, page: messaging.Page) -> MessagePage:
        return cls(
            messages=[Message.from_model(m) for m in page.messages],
            end_cursor=page.end_cursor,
            has_more=page.has_more,
        )


@strawberry.type(
    description="A family's conversation with a site's staff, or a classroom's "
    "announcements (staff write, every family of the classroom reads)."
)
class Conversation:
    id: strawberry.ID
    kind: models.ConversationKind
    site_id: strawberry.ID
    site_name: str
    title: str = strawberry.field(description="The family's name, or the classroom's.")
    family_id: strawberry.ID | None
    classroom_id: strawberry.ID | None
    unread_count: int = strawberry.field(description="Messages after your read receipt.")
    last_message: Message | None
    last_message_at: datetime.datetime | None

    @strawberry.field(
        permission_classes=[CanMessage], description="History, newest first, by cursor."
    )
    async def messages(
        self, info: Info, first: int = messaging.DEFAULT_PAGE, after: str | None = None
    ) -> MessagePage:
        page = await messaging_resolvers.history(info, str(self.id), first, after)
        return MessagePage.from_domain(page)

    @strawberry.field(
        permission_classes=[CanMessage],
        description="Each participant's read receipt (families see staff receipts only on "
        "announcements).",
    )
    async def receipts(self, info: Info) -> list[ReadReceipt]:
        found = await messaging_resolvers.receipts(info, str(self.id))
        return [ReadReceipt.from_domain(r) for r in found]

    @classmethod
    def from_domain(cls, view: ConversationView) -> Conversation:
        c = view.conversation
        return cls(
            id=strawberry.ID(str(c.id)),
            kind=models.ConversationKind(c.kind),
            site_id=strawberry.ID(str(c.site_id)),
            site_name=c.site.name,
            title=view.title,
            family_id=strawberry.ID(str(c.family_id)) if c.family_id else None,
            classroom_id=strawberry.ID(str(c.classroom_id)) if c.classroom_id else None,
            unread_count=view.unread,
            last_message=Message.from_model(view.last_message) if view.last_message else None,
            last_message_at=c.last_message_at,
        )


@strawberry.type
class UnreadMessages:
    """Mixed into the staff and parent viewers."""

    @strawberry.field(
        permission_classes=[IsStaffOrParent],
        description="Unread messages in all your conversations (0 without Messaging).",
    )
    async def unread_messages(self, info: Info) -> int:
        return await messaging_resolvers.unread_total(info)


if TYPE_CHECKING:
    ConversationErrorCode = StrEnum
    MessageErrorCode = StrEnum
else:
    ConversationErrorCode = code_enum("ConversationErrorCode", conversations.ConversationErrorCode)
    MessageErrorCode = code_enum(
        "MessageErrorCode", messaging.MessagingErrorCode, attachments.AttachmentErrorCode
    )


@strawberry.type
class ConversationError(UserError):
    code: ConversationErrorCode


@strawberry.type
class MessageError(UserError):
    code: MessageErrorCode


@strawberry.input(
    description="Staff: `siteId` and `familyId`, or `classroomId` for its announcements. "
    "Parents: `siteId` (and `familyId` when they have several families there)."
)
class OpenConversationInput:
    site_id: strawberry.ID | None = None
    family_id: strawberry.ID | None = None
    classroom_id: strawberry.ID | None = None


@strawberry.input
class SendMessageInput:
    conversation_id: strawberry.ID
    text: str = strawberry.field(
        description="Up to 4,000 characters, stored as typed; may be empty with attachments."
    )
    attachment_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="IDs answered by `POST /files` (your own uploads, not yet sent; at most 10).",
    )


@strawberry.input
class MarkConversationReadInput:
    conversation_id: strawberry.ID
    through_message_id: strawberry.ID | None = strawberry.field(
        default=None, description="The newest message you have shown; default: the newest."
    )


@strawberry.type
class OpenConversationPayload:
    conversation: Conversation | None
    errors: list[ConversationError]


@strawberry.type
class SendMessagePayload:
    message: Message | None
    errors: list[MessageError]


@strawberry.type
class MarkConversationReadPayload:
    receipt: ReadReceipt | None = strawberry.field(description="Null when nothing to read.")
    errors: list[MessageError]


@strawberry.type
class MessagingQuery:
    @strawberry.field(
        permission_classes=[CanMessage],
        description="Your conversations with at least one message, most recent first.",
    )
    async def conversations(
        self, info: Info, site_id: strawberry.ID | None = None, first: int = 50
    ) -> list[Conversation]:
        site = str(site_id) if site_id is not None else None
        found = await messaging_resolvers.conversation_list(info, site, first)
        return [Conversation.from_domain(v) for v in found]

    @strawberry.field(permission_classes=[CanMessage])
    async def conversation(self, info: Info, id: strawberry.ID) -> Conversation:
        return Conversation.from_domain(await messaging_resolvers.conversation(info, str(id)))


@strawberry.type
class MessagingMutation:
    @strawberry.mutation(
        permission_classes=[CanMessage],
        description="A family's conversation at a site, or a classroom's announcements; "
        "created on first use.",
    )
    async def open_conversation(
        self, info: Info, input: OpenConversationInput
    ) -> OpenConversationPayload:
        result = await messaging_resolvers.open_conversation(
            info,
            str(input.site_id) if input.site_id else None,
            str(input.family_id) if input.family_id else None,
            str(input.classroom_id) if input.classroom_id else None,
        )
        return OpenConversationPayload(
            conversation=Conversation.from_domain(result.value) if result.value else None,
            errors=payload_errors(result, ConversationError, ConversationErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanMessage],
        description="Pushed live to every participant; parents who are not connected get "
        "an email or SMS (without the text). Audited without the text.",
    )
    async def send_message(self, info: Info, input: SendMessageInput) -> SendMessagePayload:
        result = await messaging_resolvers.send(
            info, str(input.conversation_id), input.text, [str(i) for i in input.attachment_ids]
        )
        return SendMessagePayload(
            message=Message.from_model(result.value) if result.value else None,
            errors=payload_errors(result, MessageError, MessageErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanMessage], description="Your read receipt moves forward. Audited."
    )
    async def mark_conversation_read(
        self, info: Info, input: MarkConversationReadInput
    ) -> MarkConversationReadPayload:
        through = str(input.through_message_id) if input.through_message_id else None
        result = await messaging_resolvers.mark_read(info, str(input.conversation_id), through)
        return MarkConversationReadPayload(
            receipt=ReadReceipt.from_domain(result.value) if result.value else None,
            errors=payload_errors(result, MessageError, MessageErrorCode),
        )


@strawberry.type
class MessagingSubscription:
    @strawberry.subscription(
        permission_classes=[CanMessage],
        description="Each new message and read receipt. Staff: of one of their sites "
        "(`siteId` required). Parents: of their own conversations (narrowed to `siteId` "
        "when given). `MessagesResync` asks the client to refetch.",
    )
    async def message_received(
        self, info: Info, site_id: strawberry.ID | None = None
    ) -> AsyncGenerator[MessageActivity, None]:
        site = str(site_id) if site_id is not None else None
        async for event in messaging_resolvers.activity(info, site):
            if isinstance(event, MessagePosted):
                yield Message.from_event(event)
            elif isinstance(event, MessagesRead):
                yield ReadReceipt.from_event(event)
            elif isinstance(event, Resync):
                yield MessagesResync()
