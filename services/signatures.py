"""Parent signatures: binding what a guardian signed, and finding what still needs one.

Call inside the transaction that records the signature or the correction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from models.attendance import AttendanceEvent
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
    for event in ordered:
        await SignedEntry.create(signature=signature, event_id=event.id)
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
    )
    for signature in stale:
        signature.stale_at = now
        await signature.save(update_fields=["stale_at"])
    return stale
