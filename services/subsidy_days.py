"""Child-days for the state: what a day says now, its transfer status, and its sends.

A child-day's content is built from the attendance log as it reads now: the visits (the
corrected times), an absence, and every entry in force with how the adult authenticated
and how a parent signature stands on it. Its SHA-256 is the day's version. The status is
derived, never stored, so a change after a transfer shows at once:

- ``TRANSFERRED``: the state accepted exactly this version.
- ``OUT_OF_SYNC``: not sent yet, still signed in (no check-out yet), changed since it was
  sent (a correction, a reset signature, an offline upload), or the state could not
  answer the last try (it goes again).
- ``ERROR``: the child is not matched, or the state refused this version (credentials,
  closed period, its validation message).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from models.attendance import AttendanceEvent, AttendanceSession, EventKind
from models.subsidy import AttemptOutcome, SubsidyDay
from services.signatures import signoffs, unsigned


class TransferStatus(StrEnum):
    TRANSFERRED = "TRANSFERRED"
    OUT_OF_SYNC = "OUT_OF_SYNC"
    ERROR = "ERROR"


class Reason(StrEnum):
    NO_MATCH = "NO_MATCH"
    NOT_CHECKED_OUT = "NOT_CHECKED_OUT"
    NOT_SENT = "NOT_SENT"
    CHANGED = "CHANGED"
    STATE_UNAVAILABLE = "STATE_UNAVAILABLE"
    REFUSED = "REFUSED"
    NONE = "NONE"


@dataclass(frozen=True)
class DayContent:
    child_id: str
    day: date
    body: dict[str, Any]
    content_hash: str
    # Every visit has a check-out (or the day is an absence): ready to send.
    complete: bool


def _entry(event: AttendanceEvent, signoff: Any) -> dict[str, Any]:
    if signoff.signature_id is not None:
        signature = "SIGNED"
    elif signoff.stale:
        signature = "STALE"
    else:
        signature = "NEEDED" if signoff.needs_confirmation else "NOT_NEEDED"
    return {
        "kind": event.kind.value,
        "at": event.occurred_at.isoformat(),
        "source": event.source.value,
        "authMethod": event.auth_method.value,
        "actor": event.actor_name,
        "reason": event.reason,
        "signature": signature,
        "signedBy": signoff.signed_by or "",
    }


def _body(
    state_id: str,
    day: date,
    sessions: list[AttendanceSession],
    events: list[AttendanceEvent],
    signed: dict[str, Any],
) -> dict[str, Any]:
    corrected = {str(e.corrects_id) for e in events if e.corrects_id}
    in_force = sorted(
        (e for e in events if str(e.id) not in corrected), key=lambda e: (e.occurred_at, str(e.id))
    )
    visits = sorted(sessions, key=lambda s: s.signed_in_at)
    absences = [e for e in in_force if e.kind is EventKind.ABSENT]
    return {
        "childId": state_id,
        "date": day.isoformat(),
        "sessions": [
            {
                "in": s.signed_in_at.isoformat(),
                "out": s.signed_out_at.isoformat() if s.signed_out_at else None,
            }
            for s in visits
        ],
        "absent": not visits and bool(absences),
        "absenceReason": absences[-1].reason if absences and not visits else "",
        "entries": [_entry(e, signed.get(str(e.id)) or unsigned(e)) for e in in_force],
    }


def version(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def contents(
    site_id: str, state_ids: dict[str, str], first: date, last: date
) -> dict[tuple[str, date], DayContent]:
    """The content of every child-day with attendance at the site in ``first..last``,
    for the children in ``state_ids`` (child id -> state ID): three queries."""
    if not state_ids:
        return {}
    events: dict[tuple[str, date], list[AttendanceEvent]] = defaultdict(list)
    found = await AttendanceEvent.filter(
        site_id=site_id, child_id__in=list(state_ids), local_date__gte=first, local_date__lte=last
    )
    for event in found:
        events[(str(event.child_id), event.local_date)].append(event)
    sessions: dict[tuple[str, date], list[AttendanceSession]] = defaultdict(list)
    for session in await AttendanceSession.filter(
        child_id__in=list(state_ids),
        classroom__site_id=site_id,
        local_date__gte=first,
        local_date__lte=last,
    ):
        sessions[(str(session.child_id), session.local_date)].append(session)
    signed = await signoffs(found)
    out = {}
    for (child_id, day), day_events in events.items():
        visits = sessions[(child_id, day)]
        body = _body(state_ids[child_id], day, visits, day_events, signed)
        complete = all(s.signed_out_at for s in visits) and bool(visits or body["absent"])
        out[(child_id, day)] = DayContent(child_id, day, body, version(body), complete)
    return out


def status_of(
    content: DayContent, row: SubsidyDay | None, matched: bool
) -> tuple[TransferStatus, Reason, str]:
    """The day's status, the reason, and the state's words when it refused."""
    if not matched:
        return TransferStatus.ERROR, Reason.NO_MATCH, ""
    if not content.complete:
        return TransferStatus.OUT_OF_SYNC, Reason.NOT_CHECKED_OUT, ""
    if row is not None and row.transferred_hash == content.content_hash:
        return TransferStatus.TRANSFERRED, Reason.NONE, ""
    tried_this = row is not None and row.attempted_hash == content.content_hash
    if tried_this and row is not None and row.last_outcome is AttemptOutcome.ERROR:
        return TransferStatus.ERROR, Reason.REFUSED, row.last_error
    if tried_this and row is not None and row.last_outcome is AttemptOutcome.RETRY:
        return TransferStatus.OUT_OF_SYNC, Reason.STATE_UNAVAILABLE, row.last_error
    if row is not None and row.transferred_hash:
        return TransferStatus.OUT_OF_SYNC, Reason.CHANGED, ""
    return TransferStatus.OUT_OF_SYNC, Reason.NOT_SENT, ""


def is_due(content: DayContent, row: SubsidyDay | None, now: datetime) -> bool:
    """Automatic sends: complete days whose version the state has not accepted or
    refused, and days asked for by hand or by a sweep; a held day waits its turn."""
    if not content.complete:
        return False
    if row is None:
        return True
    if row.claimed_until is not None and row.claimed_until > now:
        return False
    if row.requested_at is not None:
        return True
    if row.retry_after is not None and row.retry_after > now:
        return False
    if row.transferred_hash == content.content_hash:
        return False
    refused = row.attempted_hash == content.content_hash
    return not (refused and row.last_outcome is AttemptOutcome.ERROR)


async def day_rows(
    site_id: str, keys: Iterable[tuple[str, date]]
) -> dict[tuple[str, date], SubsidyDay]:
    wanted = list(keys)
    if not wanted:
        return {}
    children = list({child for child, _ in wanted})
    first, last = min(d for _, d in wanted), max(d for _, d in wanted)
    rows = await SubsidyDay.filter(
        site_id=site_id, child_id__in=children, local_date__gte=first, local_date__lte=last
    )
    return {(str(r.child_id), r.local_date): r for r in rows}
