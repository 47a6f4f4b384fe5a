"""The notification outbox: queue a message in the transaction of the change causing it.

The worker (``jobs/``) delivers what is queued here. Nothing in this module talks to a
mail server or SMS provider, so a failed delivery can never roll back the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth import sealed
from auth.keys import Keyring
from models.notifications import Notification
from models.people import ContactMethod, FamilyAdult, Language
from services import messages
from services.errors import DomainError


class NotificationErrorCode(StrEnum):
    """Rule failures of queueing a message."""

    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"


# Used when a caller does not pass the configured cap
# (``settings.notification_destination_hourly_cap``); the same default as the setting.
DEFAULT_DESTINATION_HOURLY_CAP = 10
CAP_WINDOW = timedelta(hours=1)


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


def recipient_by(adult: FamilyAdult, method: ContactMethod | None) -> Recipient | None:
    """The adult's address on the channel staff chose, or (no choice) ``recipient_for``.

    A chosen channel never falls back to the other one: staff who picked SMS for a
    family without a phone learn so (None), rather than an email going out instead.
    """
    if method is None:
        return recipient_for(adult)
    destination = ((adult.phone if method is ContactMethod.SMS else adult.email) or "").strip()
    return Recipient(method, destination, Language(adult.language)) if destination else None


async def enqueue(
    secret: Keyring,
    *,
    agency_id: UUID | str | None,
    recipient: Recipient,
    template: str,
    dedupe_key: str,
    params: dict[str, Any] | None = None,
    secret_params: dict[str, str] | None = None,
    now: datetime,
    hourly_cap: int = DEFAULT_DESTINATION_HOURLY_CAP,
) -> Notification:
    """Queue one message; the same ``dedupe_key`` queued again returns the first one.

    ``params`` are stored as they are: names, dates, plain links. Anything secret (a PIN,
    a code, a link that carries a token) goes in ``secret_params``, which is sealed with
    the server key. A destination that was already queued ``hourly_cap`` messages in
    the past hour gets no more (``TooManyMessages``), so a loop or an abuser cannot
    flood one inbox or phone. The template and its parameters are checked here
    (``messages.TemplateError``) so a mistake fails the caller's tests.
    """
    stored_params = {
        k: v.isoformat() if isinstance(v, date) else v for k, v in (params or {}).items()
    }
    messages.check(template, stored_params, frozenset(secret_params or {}))
    existing = await Notification.get_or_none(dedupe_key=dedupe_key)
    if existing is not None:
        return existing
    recent = await Notification.filter(
        destination=recipient.destination, created_at__gt=now - CAP_WINDOW
    ).count()
    if recent >= hourly_cap:
        raise TooManyMessages()
    try:
        # A savepoint, so losing a race on the dedupe key does not abort the caller's
        # transaction (PostgreSQL refuses every statement after an error otherwise).
        async with in_transaction():
            return await Notification.create(
                agency_id=agency_id,
                channel=recipient.channel,
                destination=recipient.destination,
                language=recipient.language,
                template=template,
                params=stored_params,
                secret_params=(
                    sealed.seal(secret, json.dumps(secret_params)) if secret_params else None
                ),
                dedupe_key=dedupe_key,
                next_attempt_at=now,
                # Explicit so the cap window and ``now`` share one clock in tests.
                created_at=now,
            )
    except IntegrityError:
        winner = await Notification.get_or_none(dedupe_key=dedupe_key)
        if winner is None:
            raise
        return winner


class TooManyMessages(DomainError):
    """The destination already got its capped number of messages recently."""

    def __init__(self) -> None:
        super().__init__(
            NotificationErrorCode.TOO_MANY_MESSAGES,
            "Too many messages were sent there recently; try again later.",
        )
