"""Attendance rules: sign in, sign out, absences, rosters and live counts.

Every change appends ``AttendanceEvent`` rows and updates the derived sessions in one
transaction together with its audit entries; events are published only after commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4, uuid5

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import Principal, StaffPrincipal
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AttendanceSession,
    AuthMethod,
    EventKind,
    EventSource,
)
from models.audit import AuditEntry
from models.org import Classroom, Site, StaffSiteAccess, StaffUser
from models.people import Enrollment
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AttendanceChanged, EventPayload
from services import audit, org, people
from services import pins as pin_service
from services.errors import DomainError, DomainErrors, InvalidInput
from services.rosters import (
    RosterEntry,
    classroom_enrollments,
    day_records,
    entries_for,
)


class AttendanceErrorCode(StrEnum):
    """Rule failures of recording attendance: sign-ins, sign-outs, absences."""

    FUTURE_TIME = "FUTURE_TIME"
    PAST_DAY_LOCKED = "PAST_DAY_LOCKED"
    OPERATOR_PIN_REQUIRED = "OPERATOR_PIN_REQUIRED"
    INVALID_OPERATOR_PIN = "INVALID_OPERATOR_PIN"
    NOT_ENROLLED = "NOT_ENROLLED"
    ALREADY_SIGNED_IN = "ALREADY_SIGNED_IN"
    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    SIGN_OUT_BEFORE_SIGN_IN = "SIGN_OUT_BEFORE_SIGN_IN"
    ALREADY_ATTENDED = "ALREADY_ATTENDED"
    ALREADY_ABSENT = "ALREADY_ABSENT"


MAX_GROUP_SIZE = 100
MAX_REASON_LENGTH = 500


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


# --- rules shared by every change ----------------------------------------------------


def _check_group(child_ids: Sequence[UUID]) -> list[UUID]:
    if not child_ids:
        raise InvalidInput("Choose at least one child.", "childIds")
    if len(child_ids) > MAX_GROUP_SIZE:
        raise InvalidInput(f"At most {MAX_GROUP_SIZE} children at once.", "childIds")
    return list(dict.fromkeys(child_ids))


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


def _client_uuid(client_mutation_id: UUID | None, child_id: UUID) -> UUID:
    # One client mutation id names a whole group entry; each child's event gets a stable
    # id derived from it, so uploading the same entry again matches the same events.
    return uuid5(client_mutation_id, str(child_id)) if client_mutation_id else uuid4()


async def publish_changes(
    bus: EventBus, site: Site, day: date, events: Sequence[AttendanceEvent]
) -> list[RosterEntry]:
    """The changed children's roster rows, also published (after commit) to live views.

    The events may span classrooms (a family signing in at a kiosk); four queries
    whatever the number of children or rooms."""
    if not events:
        return []
    causes = {(str(e.classroom_id), str(e.child_id)): e for e in events}
    found = (
        await people.active_enrollments(day)
        .filter(
            classroom_id__in=list({e.classroom_id for e in events}),
            child_id__in=list({e.child_id for e in events}),
        )
        .select_related("child")
    )
    # A child enrolled twice in one room (overlapping records) appears once.
    enrollments: dict[tuple[str, str], Enrollment] = {}
    for enrollment in found:
        key = (str(enrollment.classroom_id), str(enrollment.child_id))
        if key in causes:
            enrollments.setdefault(key, enrollment)
    entries = await entries_for(list(enrollments.values()), day)
    by_room: dict[str, list[RosterEntry]] = {}
    for room, _ in causes:
        by_room.setdefault(room, [])
    for entry in entries:
        by_room[str(entry.classroom_id)].append(entry)
    messages: list[tuple[str, AttendanceChanged]] = []
    ordered: list[RosterEntry] = []
    for room, room_entries in by_room.items():
        for entry in room_entries:
            change = attendance_changed(site, entry, causes[(room, str(entry.child.id))])
            messages.append((channels.classroom_roster(entry.classroom_id), change))
            messages.append((channels.site_counts(site.id), change))
        ordered += room_entries
    await bus.publish(messages)
    return ordered


def attendance_changed(site: Site, entry: RosterEntry, cause: AttendanceEvent) -> AttendanceChanged:
    return AttendanceChanged(
        agency_id=str(site.agency_id),
        site_id=str(site.id),
        classroom_id=str(entry.classroom_id),
        local_date=entry.date.isoformat(),
        child_id=str(entry.child.id),
        child_first_name=entry.child.first_name,
        child_last_name=entry.child.last_name,
        scheduled=entry.scheduled,
        status=entry.day.status.value,
        signed_in_at=_iso(entry.day.signed_in_at),
        signed_out_at=_iso(entry.day.signed_out_at),
        absence_reason=entry.day.absence_reason,
        as_of=cause.recorded_at.isoformat(),
        event=EventPayload(
            id=str(cause.id),
            kind=cause.kind.value,
            at=cause.occurred_at.isoformat(),
            recorded_at=cause.recorded_at.isoformat(),
            actor=cause.actor_name,
            actor_kind=cause.actor_kind.value,
            operator=cause.operator_name,
            source=cause.source.value,
            auth_method=cause.auth_method.value,
            device=cause.device,
            reason=cause.reason or None,
        ),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _new_event(
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
    reason: str = "",
) -> tuple[AttendanceEvent, AuditEntry]:
    """An event and its audit entry, not yet saved: a group is written by :func:`_save`."""
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


async def _save(made: Sequence[tuple[AttendanceEvent, AuditEntry]]) -> list[AttendanceEvent]:
    """Two statements for any number of children (the statement count stays flat)."""
    events = [event for event, _ in made]
    if events:
        await AttendanceEvent.bulk_create(events)
        await audit.record_all([entry for _, entry in made])
    return events


async def _already_recorded(principal: StaffPrincipal, uuids: list[UUID]) -> bool:
    """A replay of an entry already stored (same device, same client ids) changes nothing."""
    found = await AttendanceEvent.filter(device=principal.device, client_uuid__in=uuids).count()
    return found == len(uuids)


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

    async def current_entries(self) -> list[RosterEntry]:
        enrollments = await classroom_enrollments(self.classroom.id, self.day)
        return await entries_for(enrollments, self.day, set(self.child_ids))


async def _checked(
    principal: StaffPrincipal, entry: Entry, *, secret: Keyring, now: datetime, skew: timedelta
) -> _Checked:
    """Group size, classroom, time, operator PIN and enrollment; and whether the device
    already sent this very entry (then it is answered, not recorded again)."""
    child_ids = _check_group(entry.child_ids)
    classroom = await org.get_classroom(principal, entry.classroom_id)
    at = _check_time(classroom.site, entry.at, now, skew)
    day = org.local_date(classroom.site, at)
    operator = await _operator(principal, classroom.site, entry.operator_pin, secret)
    await _enrolled(child_ids, classroom, day, principal.agency_id)
    uuids = {cid: _client_uuid(entry.client_mutation_id, cid) for cid in child_ids}
    replayed = bool(entry.client_mutation_id) and await _already_recorded(
        principal, list(uuids.values())
    )
    return _Checked(child_ids, classroom, at, day, operator, uuids, replayed)


# --- changes ---------------------------------------------------------------------------


async def _staff_change(
    principal: StaffPrincipal,
    entry: Entry,
    write: Callable[..., Awaitable[list[AttendanceEvent]]],
    *,
    bus: EventBus,
    secret: Keyring,
    now: datetime,
    skew: timedelta,
) -> list[RosterEntry]:
    checked = await _checked(principal, entry, secret=secret, now=now, skew=skew)
    if checked.replayed:
        return await checked.current_entries()
    child_ids, classroom, day = checked.child_ids, checked.classroom, checked.day
    events = await write(
        Actor.staff(principal),
        classroom.site,
        dict.fromkeys(child_ids, classroom.id),
        at=checked.at,
        day=day,
        operator=checked.operator,
        client_uuids=checked.client_uuids,
    )
    return await publish_changes(bus, classroom.site, day, events)


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
    return await _staff_change(
        principal, entry, record_sign_ins, bus=bus, secret=secret, now=now, skew=skew
    )


async def record_sign_ins(
    actor: Actor,
    site: Site,
    placements: dict[UUID, UUID],
    *,
    at: datetime,
    day: date,
    operator: StaffUser | None,
    client_uuids: dict[UUID, UUID],
) -> list[AttendanceEvent]:
    """Open a session for each child (child ID -> classroom ID): all of them or none."""
    child_ids = list(placements)
    try:
        async with in_transaction():
            open_now = await AttendanceSession.filter(open_child__in=child_ids).values_list(
                "open_child", flat=True
            )
            if open_now:
                raise DomainErrors([_already_in(UUID(str(cid))) for cid in open_now])
            events = await _save(
                [
                    _new_event(
                        actor,
                        EventKind.SIGN_IN,
                        site=site,
                        classroom_id=classroom_id,
                        child_id=child_id,
                        at=at,
                        local_date=day,
                        operator=operator,
                        client_uuid=client_uuids[child_id],
                    )
                    for child_id, classroom_id in placements.items()
                ]
            )
            await AttendanceSession.bulk_create(
                [
                    AttendanceSession(
                        child_id=event.child_id,
                        classroom_id=event.classroom_id,
                        local_date=day,
                        signed_in_at=at,
                        sign_in_event_id=event.id,
                        open_child=event.child_id,
                    )
                    for event in events
                ]
            )
    except IntegrityError:
        # Another sign-in for one of these children committed first: the unique open
        # session refused ours and the whole group rolled back.
        raise DomainErrors([_already_in(cid) for cid in child_ids]) from None
    return events


def _already_in(child_id: UUID) -> DomainError:
    return DomainError(
        AttendanceErrorCode.ALREADY_SIGNED_IN, f"Child {child_id} is already signed in.", "childIds"
    )


def _not_in(child_id: UUID) -> DomainError:
    return DomainError(
        AttendanceErrorCode.NOT_SIGNED_IN, f"Child {child_id} is not signed in.", "childIds"
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
    return await _staff_change(
        principal, entry, record_sign_outs, bus=bus, secret=secret, now=now, skew=skew
    )


async def record_sign_outs(
    actor: Actor,
    site: Site,
    children: Iterable[UUID],
    *,
    at: datetime,
    day: date,
    operator: StaffUser | None,
    client_uuids: dict[UUID, UUID],
) -> list[AttendanceEvent]:
    """Close each child's open session, in the classroom it was opened in: all or none.

    ``children`` may be the same child -> classroom mapping sign-in takes; only the
    children count, since a session closes where it was opened."""
    child_ids = list(children)
    async with in_transaction():
        sessions = {
            UUID(str(s.open_child)): s
            for s in await AttendanceSession.filter(open_child__in=child_ids).select_for_update()
        }
        problems = [_not_in(cid) for cid in child_ids if cid not in sessions]
        problems += [
            DomainError(
                AttendanceErrorCode.SIGN_OUT_BEFORE_SIGN_IN,
                f"Child {cid} was signed in after that time.",
                "at",
            )
            for cid, session in sessions.items()
            if session.signed_in_at > at
        ]
        if problems:
            raise DomainErrors(problems)
        events = await _save(
            [
                _new_event(
                    actor,
                    EventKind.SIGN_OUT,
                    site=site,
                    classroom_id=UUID(str(sessions[child_id].classroom_id)),
                    child_id=child_id,
                    at=at,
                    local_date=day,
                    operator=operator,
                    client_uuid=client_uuids[child_id],
                )
                for child_id in child_ids
            ]
        )
        for event in events:
            session = sessions[UUID(str(event.child_id))]
            session.open_child = None
            session.signed_out_at = at
            session.sign_out_event = event
        # Still open when closed: a session only ever closes, so a row another sign-out
        # closed meanwhile is not counted and the whole group rolls back.
        closed = await AttendanceSession.filter(open_child__isnull=False).bulk_update(
            list(sessions.values()), fields=["open_child", "signed_out_at", "sign_out_event_id"]
        )
        if closed != len(sessions):
            ours = {
                UUID(str(c))
                for c in await AttendanceSession.filter(
                    id__in=[s.id for s in sessions.values()],
                    sign_out_event_id__in=[e.id for e in events],
                ).values_list("child_id", flat=True)
            }
            raise DomainErrors([_not_in(cid) for cid in child_ids if cid not in ours])
    return events


async def mark_absent(
    principal: StaffPrincipal,
    child_id: UUID,
    on: date,
    reason: str,
    *,
    bus: EventBus,
    now: datetime,
) -> RosterEntry:
    """Record an absence for a day the child is enrolled and has not attended."""
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"At most {MAX_REASON_LENGTH} characters.", "reason")
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

    event = await record_absence(
        Actor.staff(principal), site, classroom.id, UUID(str(child.id)), on, reason, now=now
    )
    entries = await publish_changes(bus, site, on, [event])
    return entries[0]


async def record_absence(
    actor: Actor,
    site: Site,
    classroom_id: UUID,
    child_id: UUID,
    on: date,
    reason: str,
    *,
    now: datetime,
) -> AttendanceEvent:
    """The absence event, unless the child attended that day or is already absent."""
    async with in_transaction():
        sessions, events = await day_records([child_id], on)
        if sessions[str(child_id)]:
            raise DomainError(
                AttendanceErrorCode.ALREADY_ATTENDED, "The child attended that day.", "date"
            )
        if any(e.kind is EventKind.ABSENT for e in events[str(child_id)]):
            raise DomainError(
                AttendanceErrorCode.ALREADY_ABSENT, "The child is already marked absent.", "date"
            )
        [event] = await _save(
            [
                _new_event(
                    actor,
                    EventKind.ABSENT,
                    site=site,
                    classroom_id=classroom_id,
                    child_id=child_id,
                    at=now,
                    local_date=on,
                    operator=None,
                    client_uuid=uuid4(),
                    reason=reason,
                )
            ]
        )
        return event
