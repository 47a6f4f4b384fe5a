"""Recording attendance: the one path every sign-in, sign-out and absence goes through.

Staff entries (``services/staff_attendance.py``), the kiosk PIN pad, the family app and
corrections all check their own rules, then record here. Every change appends
``AttendanceEvent`` rows and updates the derived sessions in one transaction together with
its audit entries; events are published only after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4, uuid5

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.attendance import (
    AttendanceEvent,
    AttendanceSession,
    EventKind,
)
from models.org import Site, StaffUser
from services import auto_checkout
from services.attendance_events import Actor as Actor
from services.attendance_events import Entry as Entry
from services.attendance_events import new_event, save_events
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


def check_group(child_ids: Sequence[UUID]) -> list[UUID]:
    """The shape of every group entry: one to MAX_GROUP_SIZE children, each once."""
    if not child_ids:
        raise InvalidInput("Choose at least one child.", "childIds")
    if len(child_ids) > MAX_GROUP_SIZE:
        raise InvalidInput(f"At most {MAX_GROUP_SIZE} children at once.", "childIds")
    return list(dict.fromkeys(child_ids))


def client_uuids(client_mutation_id: UUID | None, child_ids: Iterable[UUID]) -> dict[UUID, UUID]:
    """Each child's event id on the device.

    One client mutation id names a whole group entry; each child's event gets a stable id
    derived from it, so uploading the same entry again matches the same events."""
    return {
        cid: uuid5(client_mutation_id, str(cid)) if client_mutation_id else uuid4()
        for cid in child_ids
    }


async def already_recorded(device: str, uuids: dict[UUID, UUID]) -> bool:
    """A replay of an entry already stored (same device, same client ids) changes nothing."""
    found = await AttendanceEvent.filter(
        device=device, client_uuid__in=list(uuids.values())
    ).count()
    return found == len(uuids)


async def current_entries(
    classroom_id: UUID, day: date, child_ids: Iterable[UUID]
) -> list[RosterEntry]:
    """The children's roster rows as they stand: the answer to a replayed entry."""
    enrollments = await classroom_enrollments(classroom_id, day)
    return await entries_for(enrollments, day, set(child_ids))


# --- recording -------------------------------------------------------------------------


async def record_change(
    kind: EventKind,
    actor: Actor,
    site: Site,
    placements: dict[UUID, UUID],
    *,
    at: datetime,
    day: date,
    operator: StaffUser | None,
    client_uuids: dict[UUID, UUID],
    now: datetime,
) -> list[AttendanceEvent]:
    """Sign children in or out (child ID -> classroom ID): all of them or none."""
    record = {EventKind.SIGN_IN: record_sign_ins, EventKind.SIGN_OUT: record_sign_outs}[kind]
    return await record(
        actor,
        site,
        placements,
        at=at,
        day=day,
        operator=operator,
        client_uuids=client_uuids,
        now=now,
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
    now: datetime,
) -> list[AttendanceEvent]:
    """Open a session for each child (child ID -> classroom ID): all of them or none. A
    session left open on an earlier day is first closed as an automatic check-out."""
    child_ids = list(placements)
    try:
        async with in_transaction():
            await _close_earlier_refuse_open(child_ids, day, now)
            events = await save_events(
                [
                    new_event(
                        actor,
                        EventKind.SIGN_IN,
                        site=site,
                        classroom_id=classroom_id,
                        child_id=child_id,
                        at=at,
                        local_date=day,
                        operator=operator,
                        client_uuid=client_uuids[child_id],
                        now=now,
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


async def _close_earlier_refuse_open(child_ids: list[UUID], day: date, now: datetime) -> None:
    """One read for both rules: a session left open on an earlier day closes as an
    automatic check-out; one open on ``day`` refuses the sign-in."""
    still_open = (
        await AttendanceSession.filter(open_child__in=child_ids).order_by("id").select_for_update()
    )
    await auto_checkout.close_sessions([s for s in still_open if s.local_date < day], now=now)
    open_now = [s.open_child for s in still_open if s.local_date >= day]
    if open_now:
        raise DomainErrors([_already_in(UUID(str(cid))) for cid in open_now])


def _already_in(child_id: UUID) -> DomainError:
    return DomainError(
        AttendanceErrorCode.ALREADY_SIGNED_IN, f"Child {child_id} is already signed in.", "childIds"
    )


def _not_in(child_id: UUID) -> DomainError:
    return DomainError(
        AttendanceErrorCode.NOT_SIGNED_IN, f"Child {child_id} is not signed in.", "childIds"
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
    now: datetime,
) -> list[AttendanceEvent]:
    """Close each child's open session, in the classroom it was opened in: all or none.

    ``children`` may be the same child -> classroom mapping sign-in takes; only the
    children count, since a session closes where it was opened."""
    child_ids = list(children)
    async with in_transaction():
        sessions = await _open_sessions(child_ids, at)
        events = await save_events(
            [
                new_event(
                    actor,
                    EventKind.SIGN_OUT,
                    site=site,
                    classroom_id=UUID(str(sessions[child_id].classroom_id)),
                    child_id=child_id,
                    at=at,
                    local_date=day,
                    operator=operator,
                    client_uuid=client_uuids[child_id],
                    now=now,
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


async def _open_sessions(child_ids: list[UUID], at: datetime) -> dict[UUID, AttendanceSession]:
    """Each child's open session, locked, opened before ``at``: all of them or none."""
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
    return sessions


async def record_absence(
    actor: Actor,
    site: Site,
    classroom_id: UUID,
    child_id: UUID,
    on: date,
    reason: str,
    *,
    now: datetime,
    client_uuid: UUID | None = None,
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
        [event] = await save_events(
            [
                new_event(
                    actor,
                    EventKind.ABSENT,
                    site=site,
                    classroom_id=classroom_id,
                    child_id=child_id,
                    at=now,
                    local_date=on,
                    operator=None,
                    client_uuid=client_uuid or uuid4(),
                    now=now,
                    reason=reason,
                )
            ]
        )
        return event
