"""Staff correcting the time of a sign-in or sign-out.

The record is evidence, so a correction never edits the entry it corrects: it appends a
new event naming it (``corrects``) and moves the session to the new event. A parent's
signature over the old time no longer binds what the record says, so it goes stale and
the parent is asked to confirm the correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.attendance import (
    ActorKind,
    AttendanceEvent,
    AttendanceSession,
    AuthMethod,
    EventKind,
    EventSource,
)
from realtime.bus import EventBus
from services import audit, org, roster_events, signatures
from services.attendance import MAX_REASON_LENGTH, AttendanceErrorCode
from services.errors import DomainError, InvalidInput, NotFound
from services.rosters import RosterEntry


class CorrectionErrorCode(StrEnum):
    """Rule failures of correcting a recorded time, beyond attendance's."""

    NOT_CORRECTABLE = "NOT_CORRECTABLE"
    DIFFERENT_DAY = "DIFFERENT_DAY"
    UNCHANGED = "UNCHANGED"
    ALREADY_CORRECTED = "ALREADY_CORRECTED"
    OVERLAPS_VISIT = "OVERLAPS_VISIT"


@dataclass(frozen=True)
class Correction:
    correction: AttendanceEvent
    # The child's roster row; None when the child is no longer enrolled in that room.
    entry: RosterEntry | None

    @property
    def signoff(self) -> signatures.EventSignoff:
        return signatures.unsigned(self.correction)


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput("Say why the time is corrected.", "reason")
    if len(cleaned) > MAX_REASON_LENGTH:
        raise InvalidInput(f"At most {MAX_REASON_LENGTH} characters.", "reason")
    return cleaned


async def _readable_event(principal: StaffPrincipal, event_id: UUID) -> AttendanceEvent:
    """Events of the staff member's agency at their sites; any other is not found."""
    event = (
        await AttendanceEvent.filter(
            id=event_id, agency_id=principal.agency_id, site_id__in=list(principal.site_ids)
        )
        .select_related("site")
        .first()
    )
    if event is None:
        raise NotFound("Attendance event")
    return event


def _check_moment(event: AttendanceEvent, at: datetime, now: datetime, skew: timedelta) -> datetime:
    """Only times can be corrected, to a time on the same day, neither in the future nor
    on a past day the site locks."""
    if event.kind not in (EventKind.SIGN_IN, EventKind.SIGN_OUT):
        raise DomainError(
            CorrectionErrorCode.NOT_CORRECTABLE, "Only sign-in and sign-out times.", "eventId"
        )
    moment = at.astimezone(UTC)
    site = event.site
    if moment > now + skew:
        raise DomainError(AttendanceErrorCode.FUTURE_TIME, "The time is in the future.", "at")
    # The system chose an automatic check-out's time at the day's end: staff review it the
    # next morning, so the past-day lock does not keep them from correcting it.
    automatic = event.source is EventSource.AUTO_CHECKOUT
    if event.local_date < org.local_date(site, now) and not (
        site.allow_past_day_edits or automatic
    ):
        raise DomainError(
            AttendanceErrorCode.PAST_DAY_LOCKED, "This site does not allow editing past days.", "at"
        )
    if org.local_date(site, moment) != event.local_date:
        raise DomainError(
            CorrectionErrorCode.DIFFERENT_DAY, "A correction keeps the entry on its own day.", "at"
        )
    if moment == event.occurred_at:
        raise DomainError(CorrectionErrorCode.UNCHANGED, "That is already the recorded time.", "at")
    return moment


async def _session_of(event: AttendanceEvent) -> AttendanceSession:
    pointer = "sign_in_event_id" if event.kind is EventKind.SIGN_IN else "sign_out_event_id"
    session = await AttendanceSession.filter(**{pointer: event.id}).select_for_update().first()
    if session is None:
        # The session points at the latest version: this one was corrected already.
        raise DomainError(
            CorrectionErrorCode.ALREADY_CORRECTED,
            "This entry was corrected; correct the latest one.",
            "eventId",
        )
    return session


async def _check_visit(event: AttendanceEvent, session: AttendanceSession, at: datetime) -> None:
    """The visit keeps its sign-in before its sign-out and does not overlap another."""
    start = at if event.kind is EventKind.SIGN_IN else session.signed_in_at
    end = at if event.kind is EventKind.SIGN_OUT else session.signed_out_at
    if end is not None and end < start:
        raise DomainError(
            AttendanceErrorCode.SIGN_OUT_BEFORE_SIGN_IN,
            "The sign-out would come before the sign-in.",
            "at",
        )
    others = await AttendanceSession.filter(
        child_id=session.child_id, local_date=session.local_date
    ).exclude(id=session.id)
    for other in others:
        other_end = other.signed_out_at
        if (other_end is None or start < other_end) and (end is None or other.signed_in_at < end):
            raise DomainError(
                CorrectionErrorCode.OVERLAPS_VISIT,
                "The times overlap another visit that day.",
                "at",
            )


async def _append_correction(
    principal: StaffPrincipal, event: AttendanceEvent, moment: datetime, reason: str
) -> AttendanceEvent:
    """A correction is a new staff event naming the one it corrects; the original stays."""
    return await AttendanceEvent.create(
        agency_id=event.agency_id,
        site_id=event.site_id,
        classroom_id=event.classroom_id,
        child_id=event.child_id,
        kind=event.kind,
        occurred_at=moment,
        local_date=event.local_date,
        actor_kind=ActorKind.STAFF,
        actor_staff_id=principal.user_id,
        actor_name=principal.name,
        device=principal.device,
        source=EventSource.STAFF_ENTRY,
        auth_method=AuthMethod.STAFF_ENTRY,
        client_uuid=uuid4(),
        reason=reason,
        corrects_id=event.id,
    )


async def _move_session(
    session: AttendanceSession,
    event: AttendanceEvent,
    correction: AttendanceEvent,
    moment: datetime,
) -> None:
    """The session moves to the correction once; an entry corrected meanwhile is refused."""
    if event.kind is EventKind.SIGN_IN:
        moved = await AttendanceSession.filter(id=session.id, sign_in_event_id=event.id).update(
            signed_in_at=moment, sign_in_event_id=correction.id
        )
    else:
        moved = await AttendanceSession.filter(id=session.id, sign_out_event_id=event.id).update(
            signed_out_at=moment, sign_out_event_id=correction.id
        )
    if moved != 1:
        raise DomainError(
            CorrectionErrorCode.ALREADY_CORRECTED,
            "This entry was corrected; correct the latest one.",
            "eventId",
        )


async def correct_time(
    principal: StaffPrincipal,
    event_id: UUID,
    at: datetime,
    reason: str,
    *,
    bus: EventBus,
    now: datetime,
    skew: timedelta,
) -> Correction:
    """Append a correcting event with the new time; the original stays as it was."""
    reason = _reason(reason)
    event = await _readable_event(principal, event_id)
    moment = _check_moment(event, at, now, skew)
    site = event.site
    async with in_transaction():
        session = await _session_of(event)
        await _check_visit(event, session, moment)
        correction = await _append_correction(principal, event, moment, reason)
        await _move_session(session, event, correction, moment)
        stale = await signatures.mark_stale([event.id], now)
        await audit.record(
            principal,
            "attendance.correct",
            agency_id=event.agency_id,
            target_type="child",
            target_id=event.child_id,
            data={
                "event_id": str(event.id),
                "correction_id": str(correction.id),
                "kind": event.kind.value,
                "site_id": str(event.site_id),
                "local_date": event.local_date.isoformat(),
                "before": {"at": event.occurred_at.isoformat()},
                "after": {"at": moment.isoformat()},
                "reason": reason,
                "stale_signature_ids": [str(s.id) for s in stale],
            },
        )
    entries = await roster_events.publish_changes(bus, site, event.local_date, [correction])
    return Correction(correction=correction, entry=entries[0] if entries else None)
