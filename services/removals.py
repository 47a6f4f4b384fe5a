"""Deleting what was shared: a message, a family document, a moment.

A delete leaves a tombstone (the row, its time and who posted it, ``deleted_at``) and
takes the content from every reader at once: the text, title or caption is emptied and
the file is marked removed, so no signed link serves it any more; the file job
(``jobs/file_cleanup.py``) then removes its bytes from the storage. Only the one who
posted may delete: staff with Messaging their own messages, documents and moments, a
parent the documents they submitted. Anything else, including a foreign or missing ID,
is ``NOT_FOUND``. Audited without the text.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.principals import Grant, Principal, is_parent, is_staff
from models.documents import FamilyDocument
from models.files import StoredFile
from models.messaging import Message, ParticipantKind
from models.moments import Moment
from realtime.bus import EventBus
from services import audit, conversations, documents, messaging
from services.errors import NotFound


def _poster(principal: Principal) -> tuple[ParticipantKind, UUID] | None:
    """Who the caller posts as: staff with Messaging, or a family account."""
    if is_staff(principal) and principal.has(Grant.MESSAGING):
        return ParticipantKind.STAFF, principal.user_id
    if is_parent(principal):
        return ParticipantKind.PARENT, principal.account_id
    return None


async def delete_message(
    principal: Principal, message_id: int, now: datetime, *, bus: EventBus
) -> Message:
    """Staff with Messaging delete a message they sent, in a conversation they still read;
    connected readers get the tombstone live."""
    poster = _poster(principal)
    found = await Message.get_or_none(id=message_id)
    if (
        poster is None
        or poster[0] is not ParticipantKind.STAFF
        or found is None
        or (found.sender_kind, str(found.sender_id)) != (poster[0], str(poster[1]))
    ):
        raise NotFound("Message")
    conversation = await conversations.get_conversation(
        principal, UUID(str(found.conversation_id)), now
    )
    if found.deleted_at is not None:
        return found
    async with in_transaction():
        await Message.filter(id=found.id).update(body="", deleted_at=now)
        files = await StoredFile.filter(message_id=found.id, removed_at__isnull=True).update(
            removed_at=now
        )
        await audit.record(
            principal,
            "messaging.delete",
            agency_id=conversation.agency_id,
            target_type="message",
            target_id=str(found.id),
            data={"conversation": str(conversation.id), "files": files},
        )
    tombstone = await Message.get(id=found.id)
    await messaging.publish_tombstone(bus, conversation, tombstone, now)
    return tombstone


async def delete_document(principal: Principal, document_id: UUID, now: datetime) -> FamilyDocument:
    """Staff delete a document they posted; a parent one they submitted."""
    poster = _poster(principal)
    found = (
        await documents.readable_documents(principal)
        .filter(id=document_id)
        .select_related("file")
        .first()
    )
    if (
        poster is None
        or found is None
        or (found.posted_by_kind, str(found.posted_by_id))
        != (
            poster[0],
            str(poster[1]),
        )
    ):
        raise NotFound("Document")
    if found.deleted_at is None:
        async with in_transaction():
            await FamilyDocument.filter(id=found.id).update(title="", deleted_at=now)
            await StoredFile.filter(id=found.file_id).update(removed_at=now)
            await audit.record(
                principal,
                "documents.delete",
                agency_id=found.agency_id,
                target_type="family_document",
                target_id=found.id,
                data={"family": str(found.family_id)},
            )
    return await FamilyDocument.get(id=found.id).select_related("file")


async def delete_moment(principal: Principal, moment_id: UUID, now: datetime) -> Moment:
    """Staff with Messaging delete a moment they shared, at a site they still reach."""
    poster = _poster(principal)
    if poster is None or poster[0] is not ParticipantKind.STAFF:
        raise NotFound("Moment")
    assert is_staff(principal)
    found = await Moment.get_or_none(
        id=moment_id,
        agency_id=principal.agency_id,
        site_id__in=list(principal.site_ids),
        posted_by_id=principal.user_id,
    )
    if found is None:
        raise NotFound("Moment")
    if found.deleted_at is None:
        async with in_transaction():
            await Moment.filter(id=found.id).update(caption="", deleted_at=now)
            await StoredFile.filter(id=found.photo_id).update(removed_at=now)
            await audit.record(
                principal,
                "moments.delete",
                agency_id=found.agency_id,
                target_type="moment",
                target_id=found.id,
                data={},
            )
    return await Moment.get(id=found.id).select_related("photo", "child", "classroom")
