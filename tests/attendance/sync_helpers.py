"""Building offline-sync batches and reading the resulting record, for the sync tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from models.attendance import AttendanceEvent, AttendanceSession
from models.sync import SyncConflict

SYNC = """
mutation($input: SyncAttendanceInput!) {
  syncAttendance(input: $input) {
    results {
      clientUuid outcome conflict pastDay
      event { id kind at source device operator }
      error { field code message }
    }
    errors { field code message }
  }
}
"""

CONFLICTS = """
query($siteId: ID!, $date: Date!) {
  syncConflicts(siteId: $siteId, date: $date) {
    id reason status decidedBy note child { id } event { id kind at }
  }
}
"""

DECIDE = """
mutation($input: DecideSyncConflictInput!) {
  decideSyncConflict(input: $input) {
    conflict { id status decidedBy note }
    errors { field code message }
  }
}
"""


def entry(
    kind: str,
    child: object,
    room: object,
    at: datetime,
    *,
    captured: datetime | None = None,
    uuid: UUID | None = None,
    **extra: object,
) -> dict[str, Any]:
    return {
        "clientUuid": str(uuid or uuid4()),
        "kind": kind,
        "childId": str(child.id),  # type: ignore[attr-defined]
        "classroomId": str(room.id),  # type: ignore[attr-defined]
        "occurredAt": at.isoformat(),
        "capturedAt": (captured or at + timedelta(seconds=5)).isoformat(),
        **extra,
    }


def batch(device: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"input": {"deviceId": device, "entries": entries}}


def outcomes(result: Any) -> list[str]:
    return [r["outcome"] for r in result.data["syncAttendance"]["results"]]


async def record_state() -> tuple[object, ...]:
    """The whole attendance record as comparable values: events (by device and client
    UUID), sessions (by the events they pair), and the open conflicts."""
    events = await AttendanceEvent.all()
    name = {str(e.id): (e.device, str(e.client_uuid)) for e in events}
    sessions = await AttendanceSession.all()
    conflicts = await SyncConflict.filter(status="OPEN")
    return (
        sorted((e.device, str(e.client_uuid), e.kind.value, e.occurred_at) for e in events),
        sorted(
            (
                name[str(s.sign_in_event_id)],
                name[str(s.sign_out_event_id)] if s.sign_out_event_id else None,
                s.open_child is not None,
            )
            for s in sessions
        ),
        sorted((name[str(c.event_id)], c.reason.value) for c in conflicts),
    )
