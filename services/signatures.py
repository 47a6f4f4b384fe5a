"""Parent signatures: binding what a guardian signed, and finding what still needs one.

Call inside the transaction that records the signature or the correction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from models.attendance import ActorKind, AttendanceEvent
from models.people import FamilyAdult
from models.signatures import ParentSignature, SignatureMethod, SignedEntry


def entry_content(event: AttendanceEvent) -> dict[str, Any]:
    """An event as a signature binds it: what happened, to whom, when."""
    return {
        "event_id": str(event.id),
        "child_id": str(event.child_id),
        "classroom_id": str(event.classroom_id),
        "kind": event.kind.value,
        "at": event.occurred_at.isoformat(),
        "local_date": event.local_date.isoformat(),
        "reason": event.reason,
    }


def content_hash(content: Sequence[dict[str, Any]]) -> str:
    canonical = json.dumps(list(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def sign(
    adult: FamilyAdult,
    events: Sequence[AttendanceEvent],
    *,
    agency_id: UUID | str,
    method: SignatureMethod,
    device: str,
    now: datetime,
    strokes: list[Any] | None = None,
    svg: str | None = None,
    certified: bool = False,
) -> ParentSignature:
    """One signature over ``events`` (ordered by time), as they read right now."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, str(e.id)))
    content = [entry_content(e) for e in ordered]
    signature = await ParentSignature.create(
        agency_id=agency_id,
        adult=adult,
        method=method,
        signed_at=now,
        device=device,
        content=content,
        content_hash=content_hash(content),
        strokes=strokes,
        svg=svg,
        certified=certified,
    )
    await SignedEntry.bulk_create(
        [SignedEntry(signature=signature, event_id=event.id) for event in ordered]
    )
    return signature


async def current_signatures(event_ids: Iterable[UUID | str]) -> dict[str, ParentSignature]:
    """The signature in force (not stale, not reset) for each signed event."""
    found: dict[str, ParentSignature] = {}
    entries = await SignedEntry.filter(
        event_id__in=list(event_ids),
        signature__stale_at__isnull=True,
        signature__reset_at__isnull=True,
    ).select_related("signature")
    for entry in entries:
        current = found.get(str(entry.event_id))
        if current is None or entry.signature.signed_at > current.signed_at:
            found[str(entry.event_id)] = entry.signature
    return found


async def mark_stale(event_ids: Iterable[UUID | str], now: datetime) -> list[ParentSignature]:
    """Signatures covering these events no longer bind what the record says."""
    ids = list(event_ids)
    signature_ids = await SignedEntry.filter(event_id__in=ids).values_list(
        "signature_id", flat=True
    )
    stale = await ParentSignature.filter(
        id__in=list(signature_ids), stale_at__isnull=True, reset_at__isnull=True
    ).select_for_update()
    if stale:
        # Conditional, so a signature reset meanwhile keeps its reset mark only.
        await ParentSignature.filter(
            id__in=[s.id for s in stale], stale_at__isnull=True, reset_at__isnull=True
        ).update(stale_at=now)
    for signature in stale:
        signature.stale_at = now
    return stale


# Parents are asked to confirm staff entries of this many site-local days, today included.
CONFIRMATION_WINDOW_DAYS = 31


# Whose entries a guardian is asked to confirm.
CONFIRMED_ACTORS = (ActorKind.STAFF, ActorKind.SYSTEM)


def window_start(today: date) -> date:
    return today - timedelta(days=CONFIRMATION_WINDOW_DAYS - 1)


def asks_confirmation(event: AttendanceEvent) -> bool:
    """Staff entries (and the system's automatic check-outs) are what a parent confirms;
    their own entries are already theirs."""
    return event.actor_kind in CONFIRMED_ACTORS


@dataclass(frozen=True)
class EventSignoff:
    """How a parent's signature stands on one event, as reports show it."""

    signature_id: UUID | None
    signed_by: str | None
    # A signature covered it until the entry was corrected; the parent is asked again.
    stale: bool
    needs_confirmation: bool


def unsigned(event: AttendanceEvent) -> EventSignoff:
    """An entry no parent has signed yet (a correction just made, say)."""
    return EventSignoff(None, None, stale=False, needs_confirmation=asks_confirmation(event))


async def signoffs(
    events: Sequence[AttendanceEvent], fresh: Collection[str] = ()
) -> dict[str, EventSignoff]:
    """Each event's sign-off, one query for any number of events (none when every event
    is ``fresh``: written in this very change, so nobody can have signed it yet).

    ``events`` must hold every event of their child-days, so a correction among them
    marks the event it corrects as replaced (the correction is what needs confirming).
    """
    if not events:
        return {}
    corrected = {str(e.corrects_id) for e in events if e.corrects_id}
    signable = [e.id for e in events if str(e.id) not in fresh]
    entries = (
        await SignedEntry.filter(event_id__in=signable).select_related("signature__adult")
        if signable
        else []
    )
    current: dict[str, ParentSignature] = {}
    stale: set[str] = set()
    for entry in entries:
        key, signature = str(entry.event_id), entry.signature
        if signature.is_current:
            held = current.get(key)
            if held is None or signature.signed_at > held.signed_at:
                current[key] = signature
        elif signature.stale_at is not None:
            stale.add(key)
    found: dict[str, EventSignoff] = {}
    for event in events:
        key = str(event.id)
        in_force = current.get(key)
        found[key] = EventSignoff(
            signature_id=UUID(str(in_force.id)) if in_force else None,
            signed_by=in_force.adult.display_name if in_force else None,
            stale=in_force is None and key in stale,
            needs_confirmation=(
                in_force is None and asks_confirmation(event) and key not in corrected
            ),
        )
    return found
