"""Telling parents who are not connected that staff posted a document for their family or
shared a moment with it: email or SMS through the outbox, in their language, without the
title or the caption, at most one per family account per quiet period.

Like ``message_notices``: "not connected" is nobody listening on the account's
``parent:<id>:messages`` channel (read before the transaction); the quiet period is
shared by documents and moments, counted per family and account from the outbox rows
themselves (their dedupe key names both). Queued in the poster's transaction with a
constant number of statements, whatever the number of families.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from models.notifications import Notification
from models.org import Agency
from realtime import channels
from realtime.bus import EventBus
from services import message_notices, messages
from services.message_notices import QUIET_PERIOD, Member
from services.notifications import DEFAULT_DESTINATION_HOURLY_CAP

DOCUMENT = "new_document"
MOMENT = "new_moment"
_TEMPLATES = (DOCUMENT, MOMENT)


async def absent_members(bus: EventBus, families: Sequence[object]) -> list[tuple[UUID, Member]]:
    """Before the transaction: each family's accounts that are not connected now."""
    found = await message_notices.members_of(families)
    wanted = {channels.parent_messages(m.account_id): (f, m) for f, m in found}
    listening = set(await bus.listened(list(wanted)))
    return [pair for channel, pair in wanted.items() if channel not in listening]


def _key(family_id: UUID, account_id: UUID, what: str) -> str:
    return f"news:{family_id}:{account_id}:{what}"


async def notify(
    agency_id: object,
    absent: list[tuple[UUID, Member]],
    template: str,
    what: str,
    now: datetime,
    hourly_cap: int = DEFAULT_DESTINATION_HOURLY_CAP,
) -> int:
    """Inside the poster's transaction: queue a notice for each absent account not told
    about its family in the quiet period; returns how many were queued."""
    if not absent:
        return 0
    recent = await Notification.filter(
        agency_id=agency_id, template__in=_TEMPLATES, created_at__gt=now - QUIET_PERIOD
    ).values_list("dedupe_key", flat=True)
    told = {tuple(str(k).split(":")[1:3]) for k in recent}
    due = [(f, m) for f, m in absent if (str(f), str(m.account_id)) not in told]
    by_account = {m.account_id: f for f, m in due}
    targets = await message_notices.under_cap([m for _, m in due], now, hourly_cap)
    agency = await Agency.get(id=agency_id)
    notices = []
    for member, recipient in targets:
        params = {"guardian_first_name": member.adult.first_name, "agency_name": agency.name}
        messages.check(template, params, frozenset())
        notices.append(
            Notification(
                agency_id=agency_id,
                channel=recipient.channel,
                destination=recipient.destination,
                language=recipient.language,
                template=template,
                params=params,
                dedupe_key=_key(by_account[member.account_id], member.account_id, what),
                next_attempt_at=now,
                created_at=now,
            )
        )
    if notices:
        await Notification.bulk_create(notices, ignore_conflicts=True)
    return len(notices)
