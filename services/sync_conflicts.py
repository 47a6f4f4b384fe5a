"""Staff review of offline-sync conflicts: listed per site and day, decided one by one.

A conflict is never dropped: it stays listed with its status. Staff ACCEPT an entry (it
stands in the record as captured; times can still be corrected) or DISMISS it (it counts
no more: the child-day is derived again without it). Each decision is audited and the
child's roster row is published after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_staff
from models.audit import AuditEntry
from models.org import Site
from models.sync import ConflictStatus, SyncConflict
from realtime.bus import EventBus
from services import audit, org, roster_events, signatures, sync_fold
from services.errors import DomainError, InvalidInput, NotFound


class SyncConflictErrorCode(StrEnum):
    """Rule failures of deciding a sync conflict."""

    ALREADY_DECIDED = "ALREADY_DECIDED"


class Decision(StrEnum):
    ACCEPT = "ACCEPT"
    DISMISS = "DISMISS"


MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class ReviewItem:
    conflict: SyncConflict

    @property
    def signoff(self) -> signatures.EventSignoff:
        return signatures.unsigned(self.conflict.event)


def readable_conflicts(principal: Principal) -> QuerySet[SyncConflict]:
    """Conflicts at the staff member's sites of their agency; none for anyone else."""
    if not is_staff(principal):
        return SyncConflict.filter(Q(id__in=[]))
    return SyncConflict.filter(agency_id=principal.agency_id, site_id__in=list(principal.site_ids))


async def conflicts(principal: StaffPrincipal, site_id: UUID, on: date) -> list[ReviewItem]:
    """The site's conflicts of that day, decided or not, oldest first."""
    site = await org.get_site(principal, site_id)
    found = (
        await readable_conflicts(principal)
        .filter(site_id=site.id, local_date=on)
        .select_related("event", "child")
        .order_by("created_at", "id")
    )
    return [ReviewItem(c) for c in found]


def _note(note: str) -> str:
    cleaned = " ".join(note.split())
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"At most {MAX_NOTE_LENGTH} characters.", "note")
    return cleaned


async def decide(
    principal: StaffPrincipal,
    conflict_id: UUID,
    decision: Decision,
    note: str,
    *,
    bus: EventBus,
    now: datetime,
) -> ReviewItem:
    """Accept or dismiss an open conflict; a decided one stays as decided."""
    note = _note(note)
    async with in_transaction():
        conflict = (
            await readable_conflicts(principal).filter(id=conflict_id).select_for_update().first()
        )
        if conflict is None:
            raise NotFound("Sync conflict")
        if conflict.status in (ConflictStatus.ACCEPTED, ConflictStatus.DISMISSED):
            raise DomainError(
                SyncConflictErrorCode.ALREADY_DECIDED, "This conflict was decided.", "conflictId"
            )
        conflict.status = (
            ConflictStatus.ACCEPTED if decision is Decision.ACCEPT else ConflictStatus.DISMISSED
        )
        conflict.decided_by_id = principal.user_id  # type: ignore[assignment]
        conflict.decided_by_name = principal.name
        conflict.note = note
        conflict.updated_at = now
        await conflict.save()
        await audit.record_all([_audit(principal, conflict, decision)])
        site = await Site.get(id=conflict.site_id)
        if decision is Decision.DISMISS:
            await sync_fold.rebuild(
                principal, site, UUID(str(conflict.child_id)), conflict.local_date, now=now
            )
    await conflict.fetch_related("event", "child")
    await roster_events.publish_changes(bus, site, conflict.local_date, [conflict.event])
    return ReviewItem(conflict)


def _audit(principal: StaffPrincipal, conflict: SyncConflict, decision: Decision) -> AuditEntry:
    return audit.new_entry(
        principal,
        f"attendance.sync_conflict.{decision.value.lower()}",
        agency_id=principal.agency_id,
        target_type="child",
        target_id=conflict.child_id,
        data={
            "conflict_id": str(conflict.id),
            "event_id": str(conflict.event_id),
            "reason": conflict.reason.value,
            "local_date": conflict.local_date.isoformat(),
            **({"note": conflict.note} if conflict.note else {}),
        },
    )
