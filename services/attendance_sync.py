"""Offline batch sync: a tablet hands over what it captured while the Wi-Fi was down.

Each entry is checked on its own (``services/sync_checks.py``) and written in its own
transaction with its audit entry, so one bad entry never rolls back the good ones and a
failure mid-batch leaves no half-written entry. A (device, client UUID) pair already
stored is a DUPLICATE answered with the stored event: a batch can be sent again after a
lost answer. Then each touched child-day is derived again from all its events in time
order (``services/sync_fold.py``): the outcome does not depend on the order entries
arrive in. Rosters and counts are published once per batch per changed child.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import KioskPrincipal, StaffPrincipal, is_kiosk, is_staff
from models.attendance import AttendanceEvent
from models.kiosk import Kiosk
from models.org import Site
from models.sync import ConflictReason
from realtime.bus import EventBus
from services import audit, roster_events, signatures, sync_fold
from services.errors import DomainError, InvalidInput, NotFound
from services.sync_checks import Checked, Lookups, SyncEntry, SyncErrorCode, check, new_event

MAX_ENTRIES = 500
# Distinct operator PINs one batch may carry: a batch is no way to try many PINs.
MAX_PINS = 5
_DEVICE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,48}$")
# Staff on a tablet, or a paired kiosk handing over its pad's entries.
SyncPrincipal = StaffPrincipal | KioskPrincipal


class SyncOutcome(StrEnum):
    RECORDED = "RECORDED"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class SyncBatch:
    device_id: str
    entries: list[SyncEntry]


@dataclass(frozen=True)
class SyncResult:
    """The answer for one entry, in the order the entries were sent."""

    client_uuid: UUID
    outcome: SyncOutcome
    event: AttendanceEvent | None = None
    conflict: ConflictReason | None = None
    error: DomainError | None = None
    # Accepted for a past day (captured offline that day): staff may want to look.
    past_day: bool = False

    @property
    def signoff(self) -> signatures.EventSignoff | None:
        return signatures.unsigned(self.event) if self.event else None


async def _device(principal: SyncPrincipal, device_id: str) -> tuple[str, UUID | None]:
    """The device name events are stored under, and the site a kiosk tablet is paired to.

    A UUID names a paired kiosk of one of the caller's sites: its events share the
    kiosk's name (and so its client UUIDs), and its entries must be at its site; any
    other UUID (a kiosk of another site or agency, a revoked one) is not found. Any other
    name is a staff tablet, named within the agency."""
    if not _DEVICE_ID.match(device_id):
        raise InvalidInput("A device id is 1 to 48 letters, digits or . _ : -", "deviceId")
    if is_kiosk(principal):
        # A kiosk speaks only for itself.
        if device_id != str(principal.kiosk_id):
            raise NotFound("Device")
        return principal.device, principal.site_id
    assert is_staff(principal)
    try:
        kiosk_id = UUID(device_id)
    except ValueError:
        return f"tablet:{principal.agency_id}:{device_id}", None
    kiosk = await Kiosk.filter(
        id=kiosk_id,
        site__agency_id=principal.agency_id,
        site_id__in=list(principal.site_ids),
        revoked_at__isnull=True,
    ).first()
    if kiosk is None:
        raise NotFound("Device")
    return f"kiosk:{kiosk.id}", UUID(str(kiosk.site_id))


def _check_batch(batch: SyncBatch) -> None:
    """At most MAX_ENTRIES entries and MAX_PINS distinct operator PINs: else nothing."""
    if len(batch.entries) > MAX_ENTRIES:
        raise DomainError(
            SyncErrorCode.TOO_MANY_ENTRIES,
            f"At most {MAX_ENTRIES} entries per batch: send the rest in another.",
            "entries",
        )
    if len({e.operator_pin for e in batch.entries if e.operator_pin}) > MAX_PINS:
        raise DomainError(
            SyncErrorCode.TOO_MANY_PINS,
            f"At most {MAX_PINS} different staff PINs per batch.",
            "entries",
        )


async def _stored(device: str, entries: Sequence[SyncEntry]) -> dict[UUID, AttendanceEvent]:
    """Events this device already uploaded, by client UUID: one query."""
    found = await AttendanceEvent.filter(
        device=device, client_uuid__in=[e.client_uuid for e in entries]
    )
    return {UUID(str(e.client_uuid)): e for e in found}


async def _write(
    checked: Checked, principal: SyncPrincipal, device: str, now: datetime
) -> AttendanceEvent:
    """One entry and its audit entry, all or nothing."""
    event, record = new_event(checked, principal, device, now)
    async with in_transaction():
        await event.save()
        await audit.record_all([record])
    return event


async def _take(
    entry: SyncEntry,
    principal: SyncPrincipal,
    device: str,
    lookups: Lookups,
    stored: dict[UUID, AttendanceEvent],
    now: datetime,
) -> tuple[SyncResult, Checked | None]:
    """Store one entry, or say why not."""
    if entry.client_uuid in stored:
        return SyncResult(entry.client_uuid, SyncOutcome.DUPLICATE, stored[entry.client_uuid]), None
    try:
        checked = await check(entry, lookups, now)
    except DomainError as e:
        return SyncResult(entry.client_uuid, SyncOutcome.REJECTED, error=e), None
    try:
        event = await _write(checked, principal, device, now)
    except IntegrityError:
        # The same entry arrived meanwhile in another request from this device.
        found = await AttendanceEvent.get(device=device, client_uuid=entry.client_uuid)
        stored[entry.client_uuid] = found
        return SyncResult(entry.client_uuid, SyncOutcome.DUPLICATE, found), None
    stored[entry.client_uuid] = event
    result = SyncResult(entry.client_uuid, SyncOutcome.RECORDED, event, past_day=checked.past_day)
    return result, checked


async def sync(
    principal: SyncPrincipal,
    batch: SyncBatch,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
) -> list[SyncResult]:
    """One result per entry: RECORDED, DUPLICATE, CONFLICT (with the reason) or REJECTED."""
    _check_batch(batch)
    device, site_id = await _device(principal, batch.device_id)
    lookups = Lookups(principal, secret, site_id, bus)
    stored = await _stored(device, batch.entries)
    taken = [await _take(e, principal, device, lookups, stored, now) for e in batch.entries]
    touched: dict[tuple[UUID, date], Site] = {}
    for _, checked in taken:
        if checked is not None:
            touched[(checked.entry.child_id, checked.day)] = checked.site
    misfits: dict[str, ConflictReason] = {}
    for (child_id, day), site in touched.items():
        folded = await sync_fold.rebuild(principal, site, child_id, day, now=now)
        misfits.update(folded.misfits)
    results = [_settled(result, misfits) for result, _ in taken]
    await _publish(bus, [c for _, c in taken if c is not None], results)
    return results


def _settled(result: SyncResult, misfits: dict[str, ConflictReason]) -> SyncResult:
    """A recorded entry its child-day cannot place is answered as a CONFLICT."""
    if result.outcome is SyncOutcome.RECORDED and result.event is not None:
        reason = misfits.get(str(result.event.id))
        if reason is not None:
            return SyncResult(
                result.client_uuid,
                SyncOutcome.CONFLICT,
                result.event,
                conflict=reason,
                past_day=result.past_day,
            )
    return result


async def _publish(bus: EventBus, checked: list[Checked], results: list[SyncResult]) -> None:
    """One roster change per changed child and day, after every write of the batch."""
    sites = {(str(c.site.id), c.day): c.site for c in checked}
    by_day: dict[tuple[str, date], list[AttendanceEvent]] = {}
    for result in results:
        event = result.event
        if result.outcome in (SyncOutcome.RECORDED, SyncOutcome.CONFLICT) and event:
            by_day.setdefault((str(event.site_id), event.local_date), []).append(event)
    for key, events in by_day.items():
        latest = {str(e.child_id): e for e in sorted(events, key=lambda e: e.occurred_at)}
        await roster_events.publish_changes(bus, sites[key], key[1], list(latest.values()))
