"""The notification outbox: queue a message in the transaction of the change causing it.

The worker (``jobs/``) delivers what is queued here. Nothing in this module talks to a
mail server or SMS provider, so a failed delivery can never roll back the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from auth import sealed
from models.notifications import Notification
from models.people import ContactMethod, FamilyAdult, Language
from services.errors import DomainError


@dataclass(frozen=True)
class Recipient:
    channel: ContactMethod
    destination: str
    language: Language


def recipient_for(adult: FamilyAdult) -> Recipient | None:
    """The adult's preferred contact method, or the other one when that is missing."""
    by_channel = {ContactMethod.EMAIL: adult.email, ContactMethod.SMS: adult.phone}
    preferred = ContactMethod(adult.preferred_contact)
    order = [preferred, *(c for c in ContactMethod if c is not preferred)]
    for channel in order:
        destination = (by_channel[channel] or "").strip()
        if destination:
            return Recipient(channel, destination, Language(adult.language))
    return None


async def enqueue(
    secret: bytes,
    *,
    agency_id: UUID | str | None,
    recipient: Recipient,
    template: str,
    dedupe_key: str,
    params: dict[str, Any] | None = None,
    secret_params: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Notification:
    """Queue one message; the same ``dedupe_key`` queued again returns the first one.

    ``params`` are stored as they are: names, dates, links. Anything secret (a PIN, a
    code) goes in ``secret_params``, which is sealed with the server key.
    """
    existing = await Notification.get_or_none(dedupe_key=dedupe_key)
    if existing is not None:
        return existing
    return await Notification.create(
        agency_id=agency_id,
        channel=recipient.channel,
        destination=recipient.destination,
        language=recipient.language,
        template=template,
        params=params or {},
        secret_params=sealed.seal(secret, json.dumps(secret_params)) if secret_params else None,
        dedupe_key=dedupe_key,
        next_attempt_at=now or datetime.now(UTC),
    )


class TooManyMessages(DomainError):
    """The destination already got its capped number of messages recently."""

    def __init__(self) -> None:
        super().__init__(
            "TOO_MANY_MESSAGES", "Too many messages were sent there recently; try again later."
        )
