"""Rebuilding a child-day from its events in time order: the heart of offline sync.

Devices upload late, twice, in any order. So a synced entry never edits the sessions it
happens to find: it is appended to the event log, and the child-day's sessions are
derived again from all of its events (online and synced) sorted by the time they
happened. The derivation depends only on the set of events, never on the order they
arrived, so a batch sent twice, split, reordered or interleaved with another device's
ends in the same sessions and day status as every entry sent once in time order.

An event the sequence cannot place (a sign-out while not signed in, a sign-in while
already in, an absence on a day the child attended) is a ``SyncConflict`` for staff. A
later upload may make it fit (a sign-out whose sign-in was still on another tablet):
its conflict is then SETTLED, so nothing waits forever and nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.principals import Principal
from models.attendance import AttendanceEvent, AttendanceSession, EventKind
from models.audit import AuditEntry
from models.org import Site
from models.people import Child
from models.sync import ConflictReason, ConflictStatus, SyncConflict
from services import audit, auto_checkout


@dataclass(frozen=True)
class Visit:
    sign_in: AttendanceEvent
    sign_out: AttendanceEvent | None


@dataclass
class Fold:
    """The child-day as its events in time order make it."""

    visits: list[Visit] = field(default_factory=list)
    # Event ID -> why the sequence cannot place it.
    misfits: dict[str, ConflictReason] = field(default_factory=dict)


def _order(event: AttendanceEvent) -> tuple[datetime, int, str, str]:
    """Time order; ties broken by kind, then device and client id, never by arrival."""
    rank = {EventKind.SIGN_IN: 0, EventKind.SIGN_OUT: 1, EventKind.ABSENT: 2}[event.kind]
    return (event.occurred_at, rank, event.device, str(event.client_uuid))


def in_effect(events: Sequence[AttendanceEvent], void: set[str]) -> list[AttendanceEvent]:
    """The events that count: a corrected one gives way to its correction, and an
    event staff dismissed counts no more. Sorted in time order."""
    corrected = {str(e.corrects_id) for e in events if e.corrects_id}
    return sorted(
        (e for e in events if str(e.id) not in corrected and str(e.id) not in void),
        key=_order,
    )


def fold(events: Sequence[AttendanceEvent]) -> Fold:
    """Pair sign-ins with the next sign-out; whatever does not pair is a misfit."""
    result = Fold()
    opened: AttendanceEvent | None = None
    for event in events:
        if event.kind is EventKind.SIGN_IN:
            if opened is not None:
                result.misfits[str(event.id)] = ConflictReason.ALREADY_SIGNED_IN
            else:
                opened = event
        elif event.kind is EventKind.SIGN_OUT:
            if opened is None:
                result.misfits[str(event.id)] = ConflictReason.NOT_SIGNED_IN
            else:
                result.visits.append(Visit(opened, event))
                opened = None
    if opened is not None:
        result.visits.append(Visit(opened, None))
    absences = [e for e in events if e.kind is EventKind.ABSENT]
    for index, event in enumerate(absences):
        if result.visits:
            result.misfits[str(event.id)] = ConflictReason.ALREADY_ATTENDED
        elif index > 0:
            result.misfits[str(event.id)] = ConflictReason.ALREADY_ABSENT
    return result


async def rebuild(
    principal: Principal, site: Site, child_id: UUID, day: date, *, now: datetime
) -> Fold:
    """Derive the child-day again from its events, in one transaction with the child's
    row locked (two batches for one child wait for each other)."""
    async with in_transaction():
        await Child.filter(id=child_id).select_for_update().first()
        events = await AttendanceEvent.filter(child_id=child_id, local_date=day)
        conflicts = {
            str(c.event_id): c
            for c in await SyncConflict.filter(event_id__in=[e.id for e in events])
        }
        void = {k for k, c in conflicts.items() if c.status is ConflictStatus.DISMISSED}
        result = fold(in_effect(events, void))
        if result.visits:
            # As online: a forgotten sign-out of an earlier day closes at that day's end
            # first, so this day's visit takes the child's one open slot.
            await auto_checkout.close_earlier_days([child_id], day, now=now)
        await _replace_sessions(child_id, day, result.visits)
        await _track_conflicts(principal, site, events, conflicts, result, now)
    return result


def _key(in_id: object, out_id: object | None) -> tuple[str, str | None]:
    return (str(in_id), str(out_id) if out_id else None)


def _pair(session: AttendanceSession) -> tuple[str, str | None]:
    return _key(session.sign_in_event_id, session.sign_out_event_id)


async def _replace_sessions(child_id: UUID, day: date, visits: list[Visit]) -> None:
    """Sessions are derived data: keep those the fold still makes, replace the rest."""
    existing = await AttendanceSession.filter(child_id=child_id, local_date=day)
    wanted = {_key(v.sign_in.id, v.sign_out.id if v.sign_out else None): v for v in visits}
    have = {_pair(s): s for s in existing}
    stale = [s.id for key, s in have.items() if key not in wanted]
    if stale:
        await AttendanceSession.filter(id__in=stale).delete()
    kept = {key for key in have if key in wanted}
    # A session left open on another day keeps the one open slot (the day-close job
    # closes it); this day's open visit then stays open without holding the slot.
    elsewhere = await AttendanceSession.filter(open_child=child_id).exclude(local_date=day).exists()
    fresh = [
        AttendanceSession(
            child_id=child_id,
            classroom_id=v.sign_in.classroom_id,
            local_date=day,
            signed_in_at=v.sign_in.occurred_at,
            signed_out_at=v.sign_out.occurred_at if v.sign_out else None,
            sign_in_event_id=v.sign_in.id,
            sign_out_event_id=v.sign_out.id if v.sign_out else None,
            open_child=None if v.sign_out or elsewhere else child_id,
        )
        for key, v in wanted.items()
        if key not in kept
    ]
    if fresh:
        await AttendanceSession.bulk_create(fresh)


async def _track_conflicts(
    principal: Principal,
    site: Site,
    events: Sequence[AttendanceEvent],
    conflicts: dict[str, SyncConflict],
    result: Fold,
    now: datetime,
) -> None:
    """Open a conflict for each new misfit, settle those that fit now, reopen those that
    stopped fitting; staff decisions stay as decided. Each change is audited."""
    by_id = {str(e.id): e for e in events}
    entries: list[AuditEntry] = []
    for event_id, reason in result.misfits.items():
        found = conflicts.get(event_id)
        if found is None:
            event = by_id[event_id]
            found = await SyncConflict.create(
                agency_id=site.agency_id,
                site_id=site.id,
                child_id=event.child_id,
                event_id=event.id,
                local_date=event.local_date,
                reason=reason,
                created_at=now,
                updated_at=now,
            )
        elif found.status is ConflictStatus.SETTLED or (
            found.status is ConflictStatus.OPEN and found.reason is not reason
        ):
            found.status, found.reason, found.updated_at = ConflictStatus.OPEN, reason, now
            await found.save(update_fields=["status", "reason", "updated_at"])
        else:
            continue
        entries.append(_audit(principal, site, found, "attendance.sync_conflict.open"))
    for event_id, found in conflicts.items():
        if found.status is ConflictStatus.OPEN and event_id not in result.misfits:
            found.status, found.updated_at = ConflictStatus.SETTLED, now
            await found.save(update_fields=["status", "updated_at"])
            entries.append(_audit(principal, site, found, "attendance.sync_conflict.settled"))
    await audit.record_all(entries)


def _audit(principal: Principal, site: Site, conflict: SyncConflict, action: str) -> AuditEntry:
    return audit.new_entry(
        principal,
        action,
        agency_id=site.agency_id,
        target_type="child",
        target_id=conflict.child_id,
        data={
            "conflict_id": str(conflict.id),
            "event_id": str(conflict.event_id),
            "reason": conflict.reason.value,
            "local_date": conflict.local_date.isoformat(),
        },
    )
