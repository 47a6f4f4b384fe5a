"""What one attendance entry is made of: the request (``Entry``), who records it
(``Actor``), and the event row with its audit entry, built and saved together.

``services/attendance.py`` (the recording core) is the only writer; it re-exports
``Entry`` and ``Actor``, which every entry path builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from auth.principals import Principal, StaffPrincipal
from models.attendance import ActorKind, AttendanceEvent, AuthMethod, EventKind, EventSource
from models.audit import AuditEntry
from models.org import Site, StaffUser
from services import audit


@dataclass(frozen=True)
class Entry:
    """What someone asked to record, before any rule is checked."""

    child_ids: list[UUID]
    classroom_id: UUID
    at: datetime | None
    operator_pin: str | None
    client_mutation_id: UUID | None
    # Only from a parent's phone: the code scanned from the kiosk at the door.
    contactless_token: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who records an event, on which device, and how they proved who they are."""

    principal: Principal
    kind: ActorKind
    name: str
    device: str
    source: EventSource
    auth_method: AuthMethod
    staff_id: UUID | None = None
    adult_id: UUID | None = None

    @classmethod
    def staff(cls, principal: StaffPrincipal) -> Actor:
        return cls(
            principal=principal,
            kind=ActorKind.STAFF,
            name=principal.name,
            device=principal.device,
            source=EventSource.STAFF_ENTRY,
            auth_method=AuthMethod.STAFF_ENTRY,
            staff_id=principal.user_id,
        )


def new_event(
    actor: Actor,
    kind: EventKind,
    *,
    site: Site,
    classroom_id: UUID,
    child_id: UUID,
    at: datetime,
    local_date: date,
    operator: StaffUser | None,
    client_uuid: UUID,
    now: datetime,
    reason: str = "",
) -> tuple[AttendanceEvent, AuditEntry]:
    """An event and its audit entry, not yet saved: a group is written by :func:`save_events`."""
    event = AttendanceEvent(
        agency_id=site.agency_id,
        site_id=site.id,
        classroom_id=classroom_id,
        child_id=child_id,
        kind=kind,
        occurred_at=at,
        local_date=local_date,
        actor_kind=actor.kind,
        actor_staff_id=actor.staff_id,
        actor_adult_id=actor.adult_id,
        actor_name=actor.name,
        operator_id=operator.id if operator else None,
        operator_name=operator.display_name if operator else None,
        device=actor.device,
        source=actor.source,
        auth_method=AuthMethod.STAFF_PIN if operator else actor.auth_method,
        client_uuid=client_uuid,
        reason=reason,
        recorded_at=now,
    )
    entry = audit.new_entry(
        actor.principal,
        f"attendance.{kind.value.lower()}",
        agency_id=site.agency_id,
        target_type="child",
        target_id=child_id,
        operator_id=operator.id if operator else None,
        on_behalf_of=(actor.kind.value, actor.adult_id) if actor.adult_id else None,
        data={
            "event_id": str(event.id),
            "classroom_id": str(classroom_id),
            "site_id": str(site.id),
            "at": at.isoformat(),
            "local_date": local_date.isoformat(),
            "source": actor.source.value,
            **({"reason": reason} if reason else {}),
        },
    )
    return event, entry


async def save_events(made: Sequence[tuple[AttendanceEvent, AuditEntry]]) -> list[AttendanceEvent]:
    """Two statements for any number of children (the statement count stays flat)."""
    events = [event for event, _ in made]
    if events:
        await AttendanceEvent.bulk_create(events)
        await audit.record_all([entry for _, entry in made])
    return events
