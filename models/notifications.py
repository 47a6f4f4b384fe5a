"""The notification outbox: messages to parents, written with the change that causes them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.org import Agency
from models.people import ContactMethod, Language


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class Notification(Model):
    """One message to one destination, delivered by the worker with retries.

    ``dedupe_key`` makes enqueueing idempotent: the same cause enqueued twice is one
    message. Secrets the text must carry (a PIN, a code) are kept only in
    ``secret_params`` encrypted with the server key, and wiped once the message is sent
    or has failed for good.
    """

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="notifications", null=True, on_delete=fields.RESTRICT
    )
    channel = fields.CharEnumField(ContactMethod, max_length=8)
    destination = fields.CharField(max_length=254, db_index=True)
    language = fields.CharEnumField(Language, max_length=2)
    template = fields.CharField(max_length=64)
    params: dict[str, Any] = fields.JSONField(default=dict)
    secret_params = fields.TextField(null=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    status = fields.CharEnumField(
        DeliveryStatus, max_length=8, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    # A worker's lease: another worker may take the message over once it has passed.
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    provider_message_id = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    agency_id: str | None

    class Meta:
        table = "notification"


class DeliveryAttempt(Model):
    """The outcome of one try at delivering a notification."""

    id = fields.IntField(primary_key=True)
    notification: fields.ForeignKeyRelation[Notification] = fields.ForeignKeyField(
        "models.Notification", related_name="delivery_attempts", on_delete=fields.CASCADE
    )
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField()
    succeeded = fields.BooleanField()
    error = fields.TextField(default="")

    notification_id: str

    class Meta:
        table = "delivery_attempt"
