"""Which child-days go to the state, the attempt log, sweeps and hand re-sends.

The worker (``jobs/subsidy.py``) asks ``due_days`` what to send, ``claim``s each day (a
conditional update, so of several workers one sends it), sends it, and ``record``s the
attempt: one ``SubsidyAttempt`` row per try with the content sent, its hash and the
state's answer, kept for the agency's retention period: ``purge_expired`` (once per
worker pass) deletes attempt rows past their keep-until date, a bounded batch at a time.

Weekly and month-end re-sends run on each site's calendar: on a site-local Monday the
week before is asked for again, on the first of a month the month before. A
``SubsidySweep`` row, unique per site, kind and period, is inserted in the transaction
that asks, so each runs once per site whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.attendance import AttendanceEvent
from models.org import Agency, Site
from models.subsidy import (
    AttemptOutcome,
    SendCause,
    SubsidyAttempt,
    SubsidyConnection,
    SubsidyDay,
    SubsidySweep,
)
from services import org, subsidy, subsidy_matching
from services.subsidy_days import DayContent, contents, day_rows, is_due

# Days before today the automatic pass looks at; older edits go with the sweeps or by hand.
RECENT_DAYS = 7
# Expired attempt rows deleted per worker pass (the rest go with the next passes).
PURGE_BATCH = 500


@dataclass(frozen=True)
class DueDay:
    connection: SubsidyConnection
    content: DayContent
    state_id: str
    cause: SendCause


async def _claim_sweep(
    site: Site, cause: SendCause, first: date, last: date, now: datetime
) -> bool:
    """Ask again for every matched child-day of ``first..last``, once per site and period."""
    try:
        async with in_transaction():
            await SubsidySweep.create(
                site=site, cause=cause, period_start=first, period_end=last, claimed_at=now
            )
            await request_days(site, None, first, last, cause, now)
    except IntegrityError:
        return False
    return True


async def run_sweeps(connection: SubsidyConnection, site: Site, now: datetime) -> int:
    """The week before a site-local Monday, the month before the first of a month;
    only periods whose re-send day came after the connection."""
    today = org.local_date(site, now)
    connected = org.local_date(site, connection.connected_at)
    done = 0
    monday = today - timedelta(days=today.weekday())
    if monday > connected:
        done += await _claim_sweep(
            site, SendCause.WEEKLY, monday - timedelta(days=7), monday - timedelta(days=1), now
        )
    first = today.replace(day=1)
    if first > connected:
        previous = (first - timedelta(days=1)).replace(day=1)
        done += await _claim_sweep(
            site, SendCause.MONTHLY, previous, first - timedelta(days=1), now
        )
    return done


async def request_days(
    site: Site, child_id: str | None, first: date, last: date, cause: SendCause, now: datetime
) -> int:
    """Mark every child-day with attendance in the range as asked for (rows made as needed)."""
    query = AttendanceEvent.filter(site_id=site.id, local_date__gte=first, local_date__lte=last)
    if child_id is not None:
        query = query.filter(child_id=child_id)
    keys = set(await query.values_list("child_id", "local_date"))
    rows = await day_rows(str(site.id), ((str(c), d) for c, d in keys))
    missing = [
        SubsidyDay(agency_id=site.agency_id, site=site, child_id=c, local_date=d)
        for c, d in keys
        if (str(c), d) not in rows
    ]
    if missing:
        await SubsidyDay.bulk_create(missing, ignore_conflicts=True)
    filters = Q(site_id=site.id, local_date__gte=first, local_date__lte=last)
    if child_id is not None:
        filters &= Q(child_id=child_id)
    return await SubsidyDay.filter(filters).update(requested_at=now, requested_cause=cause)


async def due_days(connection: SubsidyConnection, site: Site, now: datetime) -> list[DueDay]:
    """Recent complete days not yet accepted, and every day asked for, of matched children."""
    state_ids = await subsidy_matching.matched_state_ids(connection)
    if not state_ids:
        return []
    today = org.local_date(site, now)
    asked: list[date] = await SubsidyDay.filter(
        site_id=site.id, requested_at__isnull=False, child_id__in=list(state_ids)
    ).values_list("local_date", flat=True)  # type: ignore[assignment]
    first = min([today - timedelta(days=RECENT_DAYS), *asked])
    found = await contents(str(site.id), state_ids, first, today)
    rows = await day_rows(str(site.id), found)
    due = []
    for key, content in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        row = rows.get(key)
        recent = content.day >= today - timedelta(days=RECENT_DAYS)
        asked_for = row is not None and row.requested_at is not None
        if (recent or asked_for) and is_due(content, row, now):
            cause = row.requested_cause if asked_for and row and row.requested_cause else None
            due.append(DueDay(connection, content, state_ids[key[0]], cause or SendCause.CHECK_OUT))
    return due


async def claim(site: Site, due: DueDay, now: datetime, lease: timedelta) -> SubsidyDay | None:
    """Hold the day for one send; None when another worker holds it."""
    content = due.content
    row, _ = await SubsidyDay.get_or_create(
        site_id=site.id,
        child_id=content.child_id,
        local_date=content.day,
        defaults={"agency_id": site.agency_id},
    )
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    won = await SubsidyDay.filter(free, id=row.id).update(claimed_until=now + lease)
    if not won:
        return None
    await row.refresh_from_db()
    return row


@dataclass(frozen=True)
class Sent:
    """What one try sent and what the state answered."""

    idempotency_key: str
    outcome: AttemptOutcome
    code: str
    message: str
    text: str
    receipt: str | None


async def record(
    row: SubsidyDay,
    due: DueDay,
    sent: Sent,
    *,
    started: datetime,
    now: datetime,
    retry_after: datetime | None,
) -> SubsidyAttempt:
    """One attempt row, and the day's last answer; a request made meanwhile stays."""
    agency = await Agency.get(id=row.agency_id)
    keep_until = _years_after(started.date(), agency.retention_years)
    changes: dict[str, Any] = {
        "attempted_hash": due.content.content_hash,
        "last_outcome": sent.outcome,
        "last_error": "" if sent.outcome is AttemptOutcome.TRANSFERRED else sent.message[:500],
        "last_attempt_at": now,
        "retry_after": retry_after,
        "claimed_until": None,
    }
    if sent.outcome is AttemptOutcome.TRANSFERRED:
        changes["transferred_hash"] = due.content.content_hash
    async with in_transaction():
        attempt = await SubsidyAttempt.create(
            day=row,
            agency_id=row.agency_id,
            cause=due.cause,
            started_at=started,
            provider_id=due.connection.provider_id,
            state_child_id=due.state_id,
            idempotency_key=sent.idempotency_key,
            sent=due.content.body,
            content_hash=due.content.content_hash,
            outcome=sent.outcome,
            answer_code=sent.code,
            answer_message=sent.message[:500],
            answer_text=sent.text,
            receipt=sent.receipt,
            keep_until=keep_until,
        )
        await SubsidyDay.filter(id=row.id).update(**changes)
        if sent.outcome is not AttemptOutcome.RETRY:
            # Asked for before this send started: this send answered it.
            await SubsidyDay.filter(id=row.id, requested_at__lte=started).update(
                requested_at=None, requested_cause=None
            )
    return attempt


async def connected_sites() -> list[tuple[SubsidyConnection, Site]]:
    connections = await subsidy.active_connections().prefetch_related("site")
    return [(c, c.site) for c in connections]


async def purge_expired(today: date, limit: int = PURGE_BATCH) -> int:
    """Delete up to ``limit`` attempt rows whose keep-until date is before ``today``."""
    expired = (
        await SubsidyAttempt.filter(keep_until__lt=today).limit(limit).values_list("id", flat=True)
    )
    if not expired:
        return 0
    return await SubsidyAttempt.filter(id__in=list(expired)).delete()


async def retries_of(row: SubsidyDay) -> int:
    """Tries of this day the state could not answer, for the backoff."""
    return await SubsidyAttempt.filter(day_id=row.id, outcome=AttemptOutcome.RETRY).count()


def _years_after(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)
