from __future__ import annotations

from datetime import date

from auth.principals import is_kiosk, is_staff
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import attendance_sync, sync_conflicts
from services.attendance_sync import SyncBatch, SyncResult
from services.sync_conflicts import Decision, ReviewItem


def _syncing(info: Info) -> attendance_sync.SyncPrincipal:
    principal = info.context.principal
    assert is_staff(principal) or is_kiosk(principal), "field must declare CanSyncAttendance"
    return principal


async def sync(info: Info, batch: SyncBatch) -> Outcome[list[SyncResult]]:
    ctx = info.context
    return await outcome(
        attendance_sync.sync(
            _syncing(info), batch, bus=ctx.bus, secret=ctx.settings.secret, now=ctx.now()
        )
    )


async def conflicts(info: Info, site_id: str, on: date) -> list[ReviewItem]:
    ctx = info.context
    return await raising(sync_conflicts.conflicts(ctx.staff, object_id(site_id, "Site"), on))


async def decide(
    info: Info, conflict_id: str, decision: Decision, note: str
) -> Outcome[ReviewItem]:
    ctx = info.context
    return await outcome(
        sync_conflicts.decide(
            ctx.staff,
            object_id(conflict_id, "Sync conflict"),
            decision,
            note,
            bus=ctx.bus,
            now=ctx.now(),
        )
    )
