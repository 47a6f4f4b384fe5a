"""The rules one offline entry must pass before it joins the record.

The same rules as the online staff entry (classroom access, enrollment, the operator's
own PIN where the site asks for it), with the device's clock judged by the server's:
a capture time more than five minutes ahead of the server is refused, and an entry for a
locked past day is taken only when it was captured on that very day (the device was
offline then; the lock would not have applied to it online).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AuthMethod,
    EventKind,
    EventSource,
)
from models.audit import AuditEntry
from models.org import Classroom, Site, StaffUser
from services import attendance, audit, org, people, staff_attendance
from services.attendance import AttendanceErrorCode
from services.errors import DomainError, NotFound

# How far ahead of the server's clock a device's capture time may run.
DEVICE_CLOCK_SKEW = timedelta(minutes=5)


class SyncErrorCode(StrEnum):
    """Rule failures of offline sync, beyond attendance's."""

    TOO_MANY_ENTRIES = "TOO_MANY_ENTRIES"
    TOO_MANY_PINS = "TOO_MANY_PINS"
    INVALID_DEVICE = "INVALID_DEVICE"
    DEVICE_CLOCK_AHEAD = "DEVICE_CLOCK_AHEAD"
    CAPTURED_BEFORE_OCCURRED = "CAPTURED_BEFORE_OCCURRED"
    NOT_FOUND = "NOT_FOUND"
    REASON_TOO_LONG = "REASON_TOO_LONG"


@dataclass(frozen=True)
class SyncEntry:
    """One entry captured on a device while offline."""

    client_uuid: UUID
    kind: EventKind
    child_id: UUID
    classroom_id: UUID
    occurred_at: datetime
    captured_at: datetime
    operator_pin: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Checked:
    """An entry that passed every rule: where and when it belongs, and who confirmed it."""

    entry: SyncEntry
    site: Site
    day: date
    past_day: bool
    operator: StaffUser | None


@dataclass
class Lookups:
    """What a batch reads once for all its entries (classrooms, operators by PIN)."""

    principal: StaffPrincipal
    secret: Keyring
    # The site of a kiosk the batch comes from: its entries must be at that site.
    site_id: UUID | None
    classrooms: dict[UUID, Classroom | None] = field(default_factory=dict)
    operators: dict[tuple[str | None, UUID], StaffUser | DomainError | None] = field(
        default_factory=dict
    )

    async def classroom(self, classroom_id: UUID) -> Classroom:
        if classroom_id not in self.classrooms:
            try:
                found: Classroom | None = await org.get_classroom(self.principal, classroom_id)
            except NotFound:
                found = None
            if found is not None and self.site_id and str(found.site_id) != str(self.site_id):
                found = None
            self.classrooms[classroom_id] = found
        classroom = self.classrooms[classroom_id]
        if classroom is None:
            raise DomainError(SyncErrorCode.NOT_FOUND, "Classroom not found.", "classroomId")
        return classroom

    async def operator(self, pin: str | None, site: Site) -> StaffUser | None:
        key = (pin, UUID(str(site.id)))
        if key not in self.operators:
            try:
                self.operators[key] = await staff_attendance.check_operator(
                    self.principal, site, pin, self.secret
                )
            except DomainError as e:
                self.operators[key] = e
        found = self.operators[key]
        if isinstance(found, DomainError):
            raise found
        return found


def _times(entry: SyncEntry, site: Site, now: datetime) -> tuple[date, bool]:
    """The entry's site-local day and whether it is a past day; a device clock ahead of
    the server, or a past day captured after it ended where the site locks them, fail."""
    if entry.captured_at > now + DEVICE_CLOCK_SKEW:
        raise DomainError(
            SyncErrorCode.DEVICE_CLOCK_AHEAD,
            "The device's clock is ahead of the server's: set its time and send again.",
            "capturedAt",
        )
    if entry.occurred_at > entry.captured_at:
        raise DomainError(
            SyncErrorCode.CAPTURED_BEFORE_OCCURRED,
            "An entry cannot be captured before it happened.",
            "occurredAt",
        )
    day = org.local_date(site, entry.occurred_at)
    past_day = day < org.local_date(site, now)
    captured_late = org.local_date(site, entry.captured_at) != day
    if past_day and captured_late and not site.allow_past_day_edits:
        raise DomainError(
            AttendanceErrorCode.PAST_DAY_LOCKED,
            "This site does not allow editing past days.",
            "occurredAt",
        )
    return day, past_day


async def check(entry: SyncEntry, lookups: Lookups, now: datetime) -> Checked:
    """Every rule of one entry; a failure is that entry's REJECTED result."""
    if len(entry.reason) > attendance.MAX_REASON_LENGTH:
        raise DomainError(
            SyncErrorCode.REASON_TOO_LONG,
            f"At most {attendance.MAX_REASON_LENGTH} characters.",
            "reason",
        )
    classroom = await lookups.classroom(entry.classroom_id)
    site = classroom.site
    day, past_day = _times(entry, site, now)
    operator = await lookups.operator(entry.operator_pin, site)
    enrolled = (
        await people.active_enrollments(day)
        .filter(
            classroom_id=classroom.id,
            child_id=entry.child_id,
            child__agency_id=lookups.principal.agency_id,
        )
        .exists()
    )
    if not enrolled:
        raise DomainError(
            AttendanceErrorCode.NOT_ENROLLED,
            f"Child {entry.child_id} is not enrolled in this classroom on {day.isoformat()}.",
            "childId",
        )
    return Checked(entry, site, day, past_day, operator)


def new_event(
    checked: Checked, principal: StaffPrincipal, device: str, now: datetime
) -> tuple[AttendanceEvent, AuditEntry]:
    """The synced event and its audit entry (device, capture and receive times)."""
    entry, site, operator = checked.entry, checked.site, checked.operator
    event = AttendanceEvent(
        agency_id=site.agency_id,
        site_id=site.id,
        classroom_id=entry.classroom_id,
        child_id=entry.child_id,
        kind=entry.kind,
        occurred_at=entry.occurred_at,
        local_date=checked.day,
        actor_kind=ActorKind.STAFF,
        actor_staff_id=principal.user_id,
        actor_name=principal.name,
        operator_id=operator.id if operator else None,
        operator_name=operator.display_name if operator else None,
        device=device,
        source=EventSource.OFFLINE_SYNC,
        auth_method=AuthMethod.STAFF_PIN if operator else AuthMethod.STAFF_ENTRY,
        device_time=entry.captured_at,
        client_uuid=entry.client_uuid,
        reason=" ".join(entry.reason.split()),
    )
    record = audit.new_entry(
        principal,
        f"attendance.{entry.kind.value.lower()}",
        agency_id=site.agency_id,
        target_type="child",
        target_id=entry.child_id,
        operator_id=operator.id if operator else None,
        data={
            "event_id": str(event.id),
            "classroom_id": str(entry.classroom_id),
            "site_id": str(site.id),
            "at": entry.occurred_at.isoformat(),
            "local_date": checked.day.isoformat(),
            "source": EventSource.OFFLINE_SYNC.value,
            "device": device,
            "client_uuid": str(entry.client_uuid),
            "captured_at": entry.captured_at.isoformat(),
            "received_at": now.isoformat(),
            "past_day": checked.past_day,
        },
    )
    return event, record
