"""Staff entries: the rules a staff member's sign-in, sign-out or absence must pass.

Group shape, classroom access, time (not in the future, not on a locked past day), the
operator's own PIN where the site asks for it, and enrollment; then the entry is recorded
through ``services/attendance.py`` like every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.attendance import EventKind
from models.org import Classroom, Site, StaffSiteAccess, StaffUser
from models.people import Enrollment
from realtime.bus import EventBus
from services import attendance, org, people, roster_events
from services import pins as pin_service
from services.attendance import Actor, AttendanceErrorCode, Entry
from services.errors import DomainError, DomainErrors, InvalidInput
from services.rosters import (
    RosterEntry,
)


def _check_time(site: Site, at: datetime | None, now: datetime, skew: timedelta) -> datetime:
    """The time may not be in the future, nor on a past day when the site locks those."""
    moment = (at or now).astimezone(UTC)
    if moment > now + skew:
        raise DomainError(AttendanceErrorCode.FUTURE_TIME, "The time is in the future.", "at")
    if org.local_date(site, moment) < org.local_date(site, now) and not site.allow_past_day_edits:
        raise DomainError(
            AttendanceErrorCode.PAST_DAY_LOCKED, "This site does not allow editing past days.", "at"
        )
    return moment


async def _operator(
    principal: StaffPrincipal, site: Site, operator_pin: str | None, secret: Keyring
) -> StaffUser | None:
    """The staff member who confirmed the entry with their own PIN, when the site asks."""
    if operator_pin is None:
        if site.staff_requires_pin:
            raise DomainError(
                AttendanceErrorCode.OPERATOR_PIN_REQUIRED,
                "This site requires your staff PIN.",
                "operatorPin",
            )
        return None
    wrong = DomainError(
        AttendanceErrorCode.INVALID_OPERATOR_PIN, "That staff PIN is not valid here.", "operatorPin"
    )
    credential = await pin_service.find(secret, principal.agency_id, operator_pin)
    if credential is None or credential.staff_id is None:
        raise wrong
    operator = await StaffUser.get_or_none(id=credential.staff_id, is_active=True)
    if operator is None:
        raise wrong
    if not operator.is_agency_admin and not await StaffSiteAccess.exists(
        staff_id=operator.id, site_id=site.id
    ):
        raise wrong
    return operator


async def check_operator(
    principal: StaffPrincipal, site: Site, operator_pin: str | None, secret: Keyring
) -> StaffUser | None:
    """The operator rule for other entry paths (offline sync): the same as online."""
    return await _operator(principal, site, operator_pin, secret)


async def _enrolled(
    child_ids: Sequence[UUID], classroom: Classroom, on: date, agency_id: UUID
) -> dict[UUID, Enrollment]:
    """Each child must be enrolled in this classroom on that day; foreign IDs are not."""
    enrollments = (
        await people.active_enrollments(on)
        .filter(classroom_id=classroom.id, child_id__in=list(child_ids), child__agency_id=agency_id)
        .select_related("child")
    )
    found = {UUID(str(e.child_id)): e for e in enrollments}
    missing = [cid for cid in child_ids if cid not in found]
    if missing:
        raise DomainErrors(
            [
                DomainError(
                    AttendanceErrorCode.NOT_ENROLLED,
                    f"Child {cid} is not enrolled in this classroom on {on.isoformat()}.",
                    "childIds",
                )
                for cid in missing
            ]
        )
    return found


@dataclass
class _Checked:
    """A staff entry that passed every rule shared by sign-in and sign-out."""

    child_ids: list[UUID]
    classroom: Classroom
    at: datetime
    day: date
    operator: StaffUser | None
    client_uuids: dict[UUID, UUID]
    replayed: bool
    enrollments: list[Enrollment]


async def _checked(
    principal: StaffPrincipal, entry: Entry, *, secret: Keyring, now: datetime, skew: timedelta
) -> _Checked:
    """Group size, classroom, time, operator PIN and enrollment; and whether the device
    already sent this very entry (then it is answered, not recorded again)."""
    child_ids = attendance.check_group(entry.child_ids)
    classroom = await org.get_classroom(principal, entry.classroom_id)
    at = _check_time(classroom.site, entry.at, now, skew)
    day = org.local_date(classroom.site, at)
    operator = await _operator(principal, classroom.site, entry.operator_pin, secret)
    enrollments = await _enrolled(child_ids, classroom, day, principal.agency_id)
    uuids = attendance.client_uuids(entry.client_mutation_id, child_ids)
    replayed = bool(entry.client_mutation_id) and await attendance.already_recorded(
        principal.device, uuids
    )
    return _Checked(
        child_ids, classroom, at, day, operator, uuids, replayed, list(enrollments.values())
    )


async def sign_in(
    principal: StaffPrincipal,
    entry: Entry,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
    skew: timedelta,
) -> list[RosterEntry]:
    """Sign children into a classroom: all of them or none."""
    return await _record(
        principal, entry, EventKind.SIGN_IN, bus=bus, secret=secret, now=now, skew=skew
    )


async def sign_out(
    principal: StaffPrincipal,
    entry: Entry,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
    skew: timedelta,
) -> list[RosterEntry]:
    """Sign children out of their open sessions: all of them or none."""
    return await _record(
        principal, entry, EventKind.SIGN_OUT, bus=bus, secret=secret, now=now, skew=skew
    )


async def _record(
    principal: StaffPrincipal,
    entry: Entry,
    kind: EventKind,
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
    skew: timedelta,
) -> list[RosterEntry]:
    checked = await _checked(principal, entry, secret=secret, now=now, skew=skew)
    site, day = checked.classroom.site, checked.day
    if checked.replayed:
        return await attendance.current_entries(checked.classroom.id, day, checked.child_ids)
    events = await attendance.record_change(
        kind,
        Actor.staff(principal),
        site,
        dict.fromkeys(checked.child_ids, checked.classroom.id),
        at=checked.at,
        day=day,
        operator=checked.operator,
        client_uuids=checked.client_uuids,
        now=now,
    )
    return await roster_events.publish_changes(
        bus, site, day, events, checked.enrollments, just_recorded=True
    )


async def mark_absent(
    principal: StaffPrincipal,
    child_id: UUID,
    on: date,
    reason: str,
    *,
    bus: EventBus,
    now: datetime,
    client_mutation_id: UUID | None = None,
) -> RosterEntry:
    """Record an absence for a day the child is enrolled and has not attended."""
    reason = " ".join(reason.split())
    if len(reason) > attendance.MAX_REASON_LENGTH:
        raise InvalidInput(f"At most {attendance.MAX_REASON_LENGTH} characters.", "reason")
    child = await people.get_child(principal, child_id)
    enrollment = (
        await people.active_enrollments(on)
        .filter(child_id=child.id, classroom__site_id__in=list(principal.site_ids))
        .select_related("classroom__site", "child")
        .first()
    )
    if enrollment is None:
        raise DomainError(
            AttendanceErrorCode.NOT_ENROLLED,
            f"The child is not enrolled on {on.isoformat()}.",
            "date",
        )
    classroom = enrollment.classroom
    site = classroom.site
    if on < org.local_date(site, now) and not site.allow_past_day_edits:
        raise DomainError(
            AttendanceErrorCode.PAST_DAY_LOCKED,
            "This site does not allow editing past days.",
            "date",
        )
    uuids = attendance.client_uuids(client_mutation_id, [UUID(str(child.id))])
    if client_mutation_id and await attendance.already_recorded(principal.device, uuids):
        return (await attendance.current_entries(classroom.id, on, list(uuids)))[0]
    event = await attendance.record_absence(
        Actor.staff(principal),
        site,
        classroom.id,
        UUID(str(child.id)),
        on,
        reason,
        now=now,
        client_uuid=uuids[UUID(str(child.id))],
    )
    entries = await roster_events.publish_changes(bus, site, on, [event])
    return entries[0]
