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
from auth.principals import KioskPrincipal, StaffPrincipal, is_kiosk, is_staff
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AuthMethod,
    EventKind,
    EventSource,
)
from models.audit import AuditEntry
from models.org import Classroom, Site, StaffUser
from models.people import FamilyAdult
from realtime.bus import EventBus
from services import attendance, audit, org, people, staff_attendance, sync_kiosk
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
    # A kiosk's entry: the adult whose PIN was typed at the pad.
    adult: FamilyAdult | None = None


@dataclass
class Lookups:
    """What a batch reads once for all its entries (classrooms, operators by PIN)."""

    principal: StaffPrincipal | KioskPrincipal
    secret: Keyring
    # The site of a kiosk the batch comes from: its entries must be at that site.
    site_id: UUID | None
    bus: EventBus
    classrooms: dict[UUID, Classroom | None] = field(default_factory=dict)
    operators: dict[tuple[str | None, UUID], StaffUser | DomainError | None] = field(
        default_factory=dict
    )
    adults: dict[str | None, FamilyAdult | DomainError] = field(default_factory=dict)

    async def _readable(self, classroom_id: UUID) -> Classroom | None:
        if is_kiosk(self.principal):
            return (
                await Classroom.filter(id=classroom_id, site_id=self.principal.site_id)
                .select_related("site")
                .first()
            )
        try:
            return await org.get_classroom(self.principal, classroom_id)
        except NotFound:
            return None

    async def classroom(self, classroom_id: UUID) -> Classroom:
        if classroom_id not in self.classrooms:
            found = await self._readable(classroom_id)
            if found is not None and self.site_id and str(found.site_id) != str(self.site_id):
                found = None
            self.classrooms[classroom_id] = found
        classroom = self.classrooms[classroom_id]
        if classroom is None:
            raise DomainError(SyncErrorCode.NOT_FOUND, "Classroom not found.", "classroomId")
        return classroom

    async def adult(self, pin: str | None, now: datetime) -> FamilyAdult:
        """The pad's adult for this PIN: each distinct PIN is one counted attempt."""
        assert is_kiosk(self.principal)
        if pin not in self.adults:
            try:
                self.adults[pin] = await sync_kiosk.pad_adult(
                    self.principal, pin, secret=self.secret, now=now, bus=self.bus
                )
            except DomainError as e:
                self.adults[pin] = e
        found = self.adults[pin]
        if isinstance(found, DomainError):
            raise found
        return found

    async def operator(self, pin: str | None, site: Site) -> StaffUser | None:
        assert is_staff(self.principal)
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
    adult, operator = None, None
    if is_kiosk(lookups.principal):
        adult = await lookups.adult(entry.operator_pin, now)
        await sync_kiosk.check_may_sign(
            adult, entry.kind, entry.child_id, UUID(str(site.agency_id))
        )
    else:
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
    return Checked(entry, site, day, past_day, operator, adult)


def _actor(checked: Checked, principal: StaffPrincipal | KioskPrincipal) -> dict[str, object]:
    """Who signed: the adult at a kiosk's pad, else the staff member (and operator)."""
    adult, operator = checked.adult, checked.operator
    if adult is not None:
        return {
            "actor_kind": ActorKind.GUARDIAN if adult.is_guardian else ActorKind.CONTACT,
            "actor_adult_id": adult.id,
            "actor_name": adult.display_name,
            "auth_method": AuthMethod.PIN,
        }
    assert is_staff(principal)
    return {
        "actor_kind": ActorKind.STAFF,
        "actor_staff_id": principal.user_id,
        "actor_name": principal.name,
        "operator_id": operator.id if operator else None,
        "operator_name": operator.display_name if operator else None,
        "auth_method": AuthMethod.STAFF_PIN if operator else AuthMethod.STAFF_ENTRY,
    }


def new_event(
    checked: Checked, principal: StaffPrincipal | KioskPrincipal, device: str, now: datetime
) -> tuple[AttendanceEvent, AuditEntry]:
    """The synced event and its audit entry (device, capture and receive times)."""
    entry, site, operator, adult = checked.entry, checked.site, checked.operator, checked.adult
    event = AttendanceEvent(
        agency_id=site.agency_id,
        site_id=site.id,
        classroom_id=entry.classroom_id,
        child_id=entry.child_id,
        kind=entry.kind,
        occurred_at=entry.occurred_at,
        local_date=checked.day,
        device=device,
        source=EventSource.OFFLINE_SYNC,
        **_actor(checked, principal),
        device_time=entry.captured_at,
        client_uuid=entry.client_uuid,
        reason=" ".join(entry.reason.split()),
        recorded_at=now,
    )
    record = audit.new_entry(
        principal,
        f"attendance.{entry.kind.value.lower()}",
        agency_id=site.agency_id,
        target_type="child",
        target_id=entry.child_id,
        operator_id=operator.id if operator else None,
        on_behalf_of=("GUARDIAN" if adult.is_guardian else "CONTACT", adult.id) if adult else None,
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
