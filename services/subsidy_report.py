"""What providers read about the export, and the re-sends they ask for.

The report lists each child-day with attendance at a site in a date range (optionally one
child, one status) with its derived status, the reason, the last attempt and what to do
about it; counts by status feed the dashboard; the transmissions of one child-day are its
audit view. A re-send marks days as asked for: the worker sends them (never the request),
audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.attendance import AttendanceEvent
from models.org import Site
from models.people import Child
from models.subsidy import SendCause, SubsidyAttempt, SubsidyConnection, SubsidyDay
from services import audit, org, subsidy_matching, subsidy_transfers
from services.errors import DomainError, InvalidInput, NotFound
from services.subsidy import SubsidyErrorCode
from services.subsidy_days import DayContent, Reason, TransferStatus, contents, day_rows, status_of

# A report or a re-send covers at most this many days (a quarter).
MAX_RANGE_DAYS = 93


# What staff do about a day, by status reason (a refusal by the state's answer code).
_WHAT_TO_DO = {
    Reason.NONE: "Nothing: the state holds exactly what Playroll holds.",
    Reason.NOT_CHECKED_OUT: "Record the check-out if the child has left; the day goes "
    "once every visit has one (the end of day checks children out otherwise).",
    Reason.NOT_SENT: "Nothing: the day goes with the next pass.",
    Reason.CHANGED: "Nothing: the changed day goes again with the next pass.",
    Reason.STATE_UNAVAILABLE: "Nothing: the state did not answer; the day is tried again "
    "with growing waits.",
    Reason.NO_MATCH: "Match the child on the matching workbench; the day then goes by itself.",
    Reason.REFUSED: "The state refused this day (see its message). Correct the day, then "
    "re-send it. The same day unchanged is not sent again by itself until you re-send it, "
    "or with the Monday re-send of its week or the re-send after its month ends.",
}
_REFUSALS = {
    "PERIOD_CLOSED": "The state has closed this period. Ask the state to reopen it, then "
    "re-send the day. Until then it is not sent again by itself, except with the Monday "
    "re-send of its week or the re-send after its month ends.",
    "CREDENTIALS_REFUSED": "The state refused the site's provider ID or password. An agency "
    "admin connects the site again with the current password; the refused days then go "
    "again by themselves.",
}


def what_to_do(reason: Reason, last_attempt: SubsidyAttempt | None) -> str:
    """The next step for a day, in words for staff."""
    if reason is Reason.REFUSED and last_attempt is not None:
        return _REFUSALS.get(last_attempt.answer_code, _WHAT_TO_DO[reason])
    return _WHAT_TO_DO[reason]


@dataclass(frozen=True)
class ReportDay:
    child: Child
    date: date
    status: TransferStatus
    reason: Reason
    state_message: str
    state_id: str | None
    last_attempt: SubsidyAttempt | None
    what_to_do: str


@dataclass(frozen=True)
class StatusCounts:
    first: date
    last: date
    transferred: int
    out_of_sync: int
    error: int


async def _site(principal: StaffPrincipal, site_id: UUID) -> Site:
    site = await org.readable_sites(principal).get_or_none(id=site_id)
    if site is None:
        raise NotFound("Site")
    return site


def _range(first: date, last: date, *, reading: bool = False) -> None:
    """A report answers bad input; a re-send answers a rule failure in its payload."""
    if last < first:
        raise InvalidInput("The range ends before it starts.", "toDate")
    too_long = (last - first).days >= MAX_RANGE_DAYS
    if too_long and reading:
        raise InvalidInput(f"Choose at most {MAX_RANGE_DAYS} days.", "toDate")
    if too_long:
        raise DomainError(
            SubsidyErrorCode.RANGE_TOO_LONG,
            f"Choose at most {MAX_RANGE_DAYS} days.",
            "toDate",
        )


async def _all_days(
    site: Site, first: date, last: date, child_id: UUID | None
) -> tuple[dict[tuple[str, date], DayContent], dict[str, str]]:
    """Every child-day with attendance in the range, matched or not."""
    query = AttendanceEvent.filter(site_id=site.id, local_date__gte=first, local_date__lte=last)
    if child_id is not None:
        query = query.filter(child_id=child_id)
    child_ids = {str(c) for c in await query.values_list("child_id", flat=True)}
    connection = await SubsidyConnection.get_or_none(site_id=site.id)
    matched = await subsidy_matching.matched_state_ids(connection) if connection else {}
    ids = {c: matched.get(c, "") for c in child_ids}
    return await contents(str(site.id), ids, first, last), matched


async def report(
    principal: StaffPrincipal,
    site_id: UUID,
    first: date,
    last: date,
    *,
    child_id: UUID | None = None,
    status: TransferStatus | None = None,
) -> list[ReportDay]:
    """Each child-day with its status, reason and last attempt, by date then name."""
    _range(first, last, reading=True)
    site = await _site(principal, site_id)
    return await _days_of(site, first, last, child_id, status)


async def _days_of(
    site: Site,
    first: date,
    last: date,
    child_id: UUID | None = None,
    status: TransferStatus | None = None,
) -> list[ReportDay]:
    found, matched = await _all_days(site, first, last, child_id)
    rows = await day_rows(str(site.id), found)
    children = {str(c.id): c for c in await Child.filter(id__in=[k[0] for k in found])}
    last_attempts: dict[str, SubsidyAttempt] = {}
    for attempt in await SubsidyAttempt.filter(day_id__in=[r.id for r in rows.values()]):
        last_attempts[str(attempt.day_id)] = attempt
    out = []
    for key, content in found.items():
        row = rows.get(key)
        day_status, reason, message = status_of(content, row, key[0] in matched)
        if status is not None and day_status is not status:
            continue
        tried: SubsidyAttempt | None = last_attempts.get(str(row.id)) if row else None
        out.append(
            ReportDay(
                child=children[key[0]],
                date=content.day,
                status=day_status,
                reason=reason,
                state_message=message,
                state_id=matched.get(key[0]),
                last_attempt=tried,
                what_to_do=what_to_do(reason, tried),
            )
        )
    out.sort(key=lambda d: (d.date, d.child.last_name.lower(), d.child.first_name.lower()))
    return out


async def counts(
    principal: StaffPrincipal,
    site_id: UUID,
    first: date | None,
    last: date | None,
    now: datetime,
) -> StatusCounts:
    """How many child-days of the range stand in each status (the dashboard).

    Without a range: the site's current month so far, on the site's calendar, so that a
    dashboard anywhere shows the month the site is in.
    """
    if (first is None) != (last is None):
        raise InvalidInput("Give both dates, or neither for this month.", "fromDate")
    if first is not None and last is not None:
        _range(first, last, reading=True)
    site = await _site(principal, site_id)
    if first is None or last is None:
        last = org.local_date(site, now)
        first = last.replace(day=1)
    days = await _days_of(site, first, last)
    tally = {s: 0 for s in TransferStatus}
    for day in days:
        tally[day.status] += 1
    return StatusCounts(
        first,
        last,
        tally[TransferStatus.TRANSFERRED],
        tally[TransferStatus.OUT_OF_SYNC],
        tally[TransferStatus.ERROR],
    )


async def transmissions(
    principal: StaffPrincipal, site_id: UUID, child_id: UUID, on: date
) -> list[SubsidyAttempt]:
    """Every transmission of one child-day, oldest first: what was sent and what came back."""
    site = await _site(principal, site_id)
    row = await SubsidyDay.get_or_none(site_id=site.id, child_id=child_id, local_date=on)
    if row is None:
        return []
    return await SubsidyAttempt.filter(day_id=row.id).order_by("started_at")


async def resend(
    principal: StaffPrincipal,
    site_id: UUID,
    first: date,
    last: date,
    child_id: UUID | None,
    now: datetime,
) -> int:
    """Ask the worker to send these child-days again; audited. Returns how many."""
    _range(first, last)
    site = await _site(principal, site_id)
    connection = await SubsidyConnection.get_or_none(site_id=site.id, disconnected_at=None)
    if connection is None:
        raise DomainError(SubsidyErrorCode.NOT_CONNECTED, "This site is not connected.", "siteId")
    if child_id is not None and not await AttendanceEvent.exists(
        site_id=site.id, child_id=child_id
    ):
        raise NotFound("Child")
    async with in_transaction():
        asked = await subsidy_transfers.request_days(
            site, str(child_id) if child_id else None, first, last, SendCause.MANUAL, now
        )
        await audit.record(
            principal,
            "subsidy.resend",
            agency_id=site.agency_id,
            target_type="site",
            target_id=site.id,
            data={
                "from": first.isoformat(),
                "to": last.isoformat(),
                "child_id": str(child_id) if child_id else None,
                "days": asked,
            },
        )
    return asked
