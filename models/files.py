"""Uploaded files: checked by their bytes, images re-encoded, kept in the file storage."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.messaging import Message, ParticipantKind


class StoredFile(Model):
    """One uploaded file. Its bytes live in the file storage under storage_key."""

    id = fields.UUIDField(primary_key=True)
    # Who uploaded it (a staff user or a family account): only they may attach it.
    owner_kind = fields.CharEnumField(ParticipantKind, max_length=8)
    owner_id = fields.UUIDField()
    # Found from the bytes, never from the name or the claimed type.
    content_type = fields.CharField(max_length=40)
    # The name the uploader gave, cleaned (shown to readers, never used as a path).
    name = fields.CharField(max_length=120)
    size = fields.IntField()
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    storage_key = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField()
    # When a message, a document or a moment took it: a file is used once.
    claimed_at = fields.DatetimeField(null=True)
    # Set once, when a message carries it. Until then only its uploader knows it.
    # Taken from every reader (its message, document or moment was deleted, or it was
    # never used within a day): no link serves it, and the file job removes its bytes.
    removed_at = fields.DatetimeField(null=True)
    # When the file job removed the bytes (the row stays while a tombstone points at it).
    purged_at = fields.DatetimeField(null=True)
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="attachments", null=True, on_delete=fields.RESTRICT
    )

    message_id: int | None

    class Meta:
        table = "stored_file"
        indexes = (("owner_kind", "owner_id", "created_at"), ("claimed_at", "created_at"))
