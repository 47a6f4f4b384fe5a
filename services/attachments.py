"""Uploaded files as rows: recording an upload, attaching it to a message, signed links.

The bytes go to the file storage from the upload route (outside any transaction); this
module records and scopes the rows. A file is reachable only through a signed link, and
links are only handed out in answers that already passed the reader's authorization (a
message in a conversation they read). Links expire after a few minutes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote
from uuid import UUID

from auth.keys import Keyring, Purpose
from auth.principals import Principal, is_parent, is_staff
from models.files import StoredFile
from models.messaging import Message, ParticipantKind
from services import audit
from services.conversations import may_message
from services.errors import DomainError, NotFound
from services.uploads import IMAGES, Prepared, UploadErrorCode

MAX_PER_MESSAGE = 10
MAX_UPLOADS_PER_HOUR = 200


class AttachmentErrorCode(StrEnum):
    """Rule failures of attaching uploads to a message."""

    # Not an upload of yours, already sent, or unknown: the same answer for all three.
    UNKNOWN_ATTACHMENT = "UNKNOWN_ATTACHMENT"
    TOO_MANY_ATTACHMENTS = "TOO_MANY_ATTACHMENTS"


@dataclass(frozen=True)
class AttachmentInfo:
    """What a reader sees of an attached file (plain values: it travels in live events)."""

    id: str
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None

    @classmethod
    def of(cls, row: StoredFile) -> AttachmentInfo:
        return cls(str(row.id), row.name, row.content_type, row.size, row.width, row.height)


def owner(principal: Principal) -> tuple[ParticipantKind, UUID]:
    """Who uploads: staff with Messaging or a family account; anyone else is refused."""
    if is_staff(principal) and may_message(principal):
        return ParticipantKind.STAFF, principal.user_id
    if is_parent(principal):
        return ParticipantKind.PARENT, principal.account_id
    raise PermissionError("Only staff with Messaging and family accounts upload files.")


async def refuse_flood(principal: Principal, now: datetime) -> None:
    """At most ``MAX_UPLOADS_PER_HOUR`` uploads per person per hour."""
    kind, who = owner(principal)
    recent = await StoredFile.filter(
        owner_kind=kind, owner_id=who, created_at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= MAX_UPLOADS_PER_HOUR:
        raise DomainError(
            UploadErrorCode.TOO_MANY_UPLOADS,
            "Too many files in the past hour: try again later.",
            "file",
        )


def new_key(now: datetime) -> str:
    """Where the bytes go: random, never derived from the name."""
    return f"files/{now:%Y/%m}/{uuid.uuid4().hex}"


async def record(principal: Principal, prepared: Prepared, key: str, now: datetime) -> StoredFile:
    """The row of a stored upload, audited by type and size (never its contents)."""
    kind, who = owner(principal)
    row = await StoredFile.create(
        owner_kind=kind,
        owner_id=who,
        content_type=prepared.content_type,
        name=prepared.name,
        size=len(prepared.data),
        width=prepared.width,
        height=prepared.height,
        storage_key=key,
        created_at=now,
    )
    await audit.record(
        principal,
        "files.upload",
        agency_id=principal.agency_id if is_staff(principal) else None,
        target_type="file",
        target_id=row.id,
        data={"type": row.content_type, "size": row.size},
    )
    return row


async def attach(
    sender_kind: ParticipantKind, sender_id: UUID, message: Message, ids: Sequence[UUID]
) -> list[AttachmentInfo]:
    """Inside the send's transaction: the sender's own unsent uploads now belong to the
    message. Any unknown, foreign or already sent one refuses the whole message."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    if len(wanted) > MAX_PER_MESSAGE:
        raise DomainError(
            AttachmentErrorCode.TOO_MANY_ATTACHMENTS,
            f"A message carries at most {MAX_PER_MESSAGE} files.",
            "attachmentIds",
        )
    mine = StoredFile.filter(
        id__in=wanted,
        owner_kind=sender_kind,
        owner_id=sender_id,
        claimed_at__isnull=True,
        removed_at__isnull=True,
    )
    if await mine.update(message_id=message.id, claimed_at=message.sent_at) != len(wanted):
        raise DomainError(
            AttachmentErrorCode.UNKNOWN_ATTACHMENT,
            "A file is unknown or was already sent: upload it again.",
            "attachmentIds",
        )
    rows = {str(r.id): r for r in await StoredFile.filter(id__in=wanted)}
    return [AttachmentInfo.of(rows[str(i)]) for i in wanted]


async def claim(
    principal: Principal, file_id: UUID, now: datetime, *, images_only: bool = False
) -> StoredFile:
    """Inside the caller's transaction: one of the caller's own unused uploads, now used
    (by a document or a moment)."""
    kind, who = owner(principal)
    mine = StoredFile.filter(
        id=file_id, owner_kind=kind, owner_id=who, claimed_at__isnull=True, removed_at__isnull=True
    )
    if images_only:
        mine = mine.filter(content_type__in=list(IMAGES))
    if not await mine.update(claimed_at=now):
        raise DomainError(
            AttachmentErrorCode.UNKNOWN_ATTACHMENT,
            "The file is unknown, not a photo, or already used: upload it again."
            if images_only
            else "The file is unknown or already used: upload it again.",
            "fileId",
        )
    return await StoredFile.get(id=file_id)


async def of_messages(message_ids: Sequence[int]) -> list[list[AttachmentInfo]]:
    """Each message's attachments, in upload order: one query for any number (a loader)."""
    grouped: dict[int, list[AttachmentInfo]] = defaultdict(list)
    for row in await StoredFile.filter(
        message_id__in=list(message_ids), removed_at__isnull=True
    ).order_by("created_at"):
        grouped[int(row.message_id or 0)].append(AttachmentInfo.of(row))
    return [grouped[int(i)] for i in message_ids]


# --- signed links ------------------------------------------------------------------------------


def _signed(file_id: str, expires: int) -> bytes:
    return f"file:{file_id}:{expires}".encode()


def link(secret: Keyring, file_id: str, now: datetime, seconds: int) -> str:
    """``/files/<id>?expires=...&signature=...``: anyone holding it may fetch the file
    until it expires, so it is only handed to readers already allowed."""
    expires = int(now.timestamp()) + seconds
    signature = secret.digest(Purpose.SIGNING, _signed(file_id, expires))
    return f"/files/{quote(file_id)}?expires={expires}&signature={signature}"


async def by_link(
    secret: Keyring, file_id: str, expires: str, signature: str, now: datetime
) -> StoredFile:
    """The file a link names, if the link is genuine, unexpired and the file not removed."""
    if not expires.isdigit() or int(expires) < now.timestamp():
        raise NotFound("File")
    if not secret.matches(Purpose.SIGNING, _signed(file_id, int(expires)), signature):
        raise NotFound("File")
    try:
        key = UUID(file_id)
    except ValueError:
        raise NotFound("File") from None
    found = await StoredFile.get_or_none(id=key, removed_at__isnull=True)
    if found is None:
        raise NotFound("File")
    return found
