"""Telling parents who are not connected that staff wrote to them: email or SMS, through
the outbox, in their language, at most one per conversation per quiet period.

"Not connected" is what the event bus can tell: nobody listens on the account's
``parent:<id>:messages`` channel, in this process or (over Redis, PUBSUB NUMSUB) any other
instance. A parent's app that is open holds that subscription; a closed app does not.
Presence is read just before the message is stored, so a parent who connects in between
may get a notice they did not need; one who disconnects in between gets none until the
next message. Both are harmless and rare.

Queued in the sender's transaction with a constant number of statements, whatever the
number of families (a classroom announcement to 40 families is one insert of notices).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.functions import Count

from auth.keys import Keyring
from models.family_accounts import GuardianLink
from models.messaging import Conversation, ConversationReader, Message, ParticipantKind
from models.notifications import Notification
from models.people import FamilyAdult
from services import messages
from services.notifications import (
    CAP_WINDOW,
    DEFAULT_DESTINATION_HOURLY_CAP,
    Recipient,
    recipient_for,
)

QUIET_PERIOD = timedelta(minutes=15)
TEMPLATE = "new_message"


@dataclass(frozen=True)
class Member:
    """A family account that takes part, and the guardian record it is reached through."""

    account_id: UUID
    adult: FamilyAdult


async def members_of(families: Sequence[object]) -> list[tuple[UUID, Member]]:
    """The active family accounts linked to a current guardian of each family, with the
    family they are reached for (one query)."""
    links = await GuardianLink.filter(
        adult__family_id__in=list(families),
        adult__guardian_slot__isnull=False,
        adult__removed_at__isnull=True,
        account__is_active=True,
    ).select_related("adult")
    found: dict[tuple[UUID, UUID], Member] = {}
    for link in sorted(links, key=lambda k: str(k.adult.guardian_slot)):
        family, account = UUID(str(link.adult.family_id)), UUID(str(link.account_id))
        found.setdefault((family, account), Member(account, link.adult))
    return [(family, member) for (family, _), member in found.items()]


async def notify_absent(
    secret: Keyring,
    conversation: Conversation,
    message: Message,
    members: list[Member],
    listening: set[UUID],
    now: datetime,
    hourly_cap: int = DEFAULT_DESTINATION_HOURLY_CAP,
) -> int:
    """Queue a notice for each member not listening and not notified in the quiet
    period; returns how many were queued. Call inside the sender's transaction."""
    absent = {m.account_id: m for m in members if m.account_id not in listening}
    if not absent:
        return 0
    readers = {
        r.reader_id: r
        for r in await ConversationReader.filter(
            conversation_id=conversation.id,
            reader_kind=ParticipantKind.PARENT,
            reader_id__in=list(absent),
        )
    }
    due = [
        m
        for account, m in absent.items()
        if account not in readers
        or readers[account].notified_at is None
        or now - readers[account].notified_at >= QUIET_PERIOD  # type: ignore[operator]
    ]
    targets = await under_cap(due, now, hourly_cap)
    await _mark_notified(conversation, readers, [m for m, _ in targets], now)
    site_name = conversation.site.name
    notices = [
        Notification(
            agency_id=conversation.agency_id,
            channel=recipient.channel,
            destination=recipient.destination,
            language=recipient.language,
            template=TEMPLATE,
            params=_params(member, site_name),
            dedupe_key=f"message:{message.id}:{member.account_id}",
            next_attempt_at=now,
            created_at=now,
        )
        for member, recipient in targets
    ]
    if notices:
        await Notification.bulk_create(notices, ignore_conflicts=True)
    return len(notices)


def _params(member: Member, site_name: str) -> dict[str, str]:
    params = {"guardian_first_name": member.adult.first_name, "site_name": site_name}
    messages.check(TEMPLATE, params, frozenset())
    return params


async def under_cap(
    due: list[Member], now: datetime, hourly_cap: int
) -> list[tuple[Member, Recipient]]:
    """The members with a reachable address that has not had its hourly share yet."""
    reachable = [(m, r) for m in due if (r := recipient_for(m.adult)) is not None]
    if not reachable:
        return []
    recent = dict(
        await Notification.filter(
            destination__in=[r.destination for _, r in reachable], created_at__gt=now - CAP_WINDOW
        )
        .annotate(n=Count("id"))
        .group_by("destination")
        .values_list("destination", "n")
    )
    return [(m, r) for m, r in reachable if int(recent.get(r.destination, 0)) < hourly_cap]


async def _mark_notified(
    conversation: Conversation,
    readers: dict[UUID, ConversationReader],
    members: list[Member],
    now: datetime,
) -> None:
    """Start each notified member's quiet period: one update and one insert at most."""
    known = [readers[m.account_id].id for m in members if m.account_id in readers]
    if known:
        await ConversationReader.filter(id__in=known).update(notified_at=now)
    new = [
        ConversationReader(
            conversation_id=conversation.id,
            reader_kind=ParticipantKind.PARENT,
            reader_id=m.account_id,
            reader_name=m.adult.display_name,
            notified_at=now,
        )
        for m in members
        if m.account_id not in readers
    ]
    if new:
        await ConversationReader.bulk_create(new, ignore_conflicts=True)
