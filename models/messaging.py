"""Messaging: family conversations, classroom announcements, messages and read pointers."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, Classroom, Site
from models.people import Family


class ConversationKind(StrEnum):
    # One per family and site: the family's guardians with accounts and the site's staff.
    FAMILY = "FAMILY"
    # One per classroom: staff announce, every family of the classroom reads.
    CLASSROOM = "CLASSROOM"


class ParticipantKind(StrEnum):
    STAFF = "STAFF"
    PARENT = "PARENT"


class Conversation(Model):
    """A family conversation at a site, or the announcements of a classroom."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="conversations", on_delete=fields.RESTRICT
    )
    site: fields.ForeignKeyRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="conversations", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(ConversationKind, max_length=10)
    family: fields.ForeignKeyNullableRelation[Family] = fields.ForeignKeyField(
        "models.Family", related_name="conversations", null=True, on_delete=fields.RESTRICT
    )
    classroom: fields.ForeignKeyNullableRelation[Classroom] = fields.ForeignKeyField(
        "models.Classroom",
        related_name="announcements",
        null=True,
        unique=True,
        on_delete=fields.RESTRICT,
    )
    # The newest message, so unread counts only look inside conversations that moved.
    last_message_id = fields.BigIntField(null=True)
    last_message_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField()

    agency_id: str
    site_id: str
    family_id: str | None
    classroom_id: str | None

    class Meta:
        table = "conversation"
        unique_together = (("site", "family"),)


class Message(Model):
    """One message, stored exactly as typed. Its increasing id orders history and reads."""

    id = fields.BigIntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", on_delete=fields.RESTRICT
    )
    sender_kind = fields.CharEnumField(ParticipantKind, max_length=8)
    # A staff user id or a family account id, after sender_kind.
    sender_id = fields.UUIDField()
    # As the sender was called when sending: names change, history does not.
    sender_name = fields.CharField(max_length=201)
    body = fields.TextField()
    sent_at = fields.DatetimeField()
    # A tombstone: the sender deleted it, the text is emptied and the files removed.
    deleted_at = fields.DatetimeField(null=True)

    conversation_id: str

    class Meta:
        table = "message"
        indexes = (("conversation_id", "id"),)


class ConversationReader(Model):
    """How far one participant has read a conversation, and when they were last notified."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="readers", on_delete=fields.CASCADE
    )
    reader_kind = fields.CharEnumField(ParticipantKind, max_length=8)
    reader_id = fields.UUIDField()
    reader_name = fields.CharField(max_length=201, default="")
    last_read_message_id = fields.BigIntField(default=0)
    read_at = fields.DatetimeField(null=True)
    # The last email or SMS about this conversation: at most one per quiet period.
    notified_at = fields.DatetimeField(null=True)

    conversation_id: str

    class Meta:
        table = "conversation_reader"
        unique_together = (("conversation", "reader_kind", "reader_id"),)
