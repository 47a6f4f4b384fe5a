"""Logging activities: staff record what children did (a health check, a meal, a lesson).

A batch is all or nothing: every child must be signed in at the time given, at a site the
caller works at, and every label open; otherwise a typed error per child (or label) and
nothing is written. A mistaken activity is marked removed, never deleted. Rosters show the
day's activities, and each logged or removed one redraws the children's live roster rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4, uuid5

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.activities import ActivityKind, ActivityLabel, ChildActivity, HealthResult
from models.attendance import AttendanceSession
from models.org import Classroom, Site
from realtime import channels
from realtime.bus import EventBus
from realtime.events import AttendanceChanged
from services import attendance, audit, org, people, roster_events, rosters
from services.activity_labels import readable_activity_labels
from services.errors import DomainError, DomainErrors, InvalidInput, NotFound


class ActivitiesErrorCode(StrEnum):
    """Rule failures of logging and removing activities."""

    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    FUTURE_TIME = "FUTURE_TIME"
    PAST_DAY_LOCKED = "PAST_DAY_LOCKED"
    LABEL_RETIRED = "LABEL_RETIRED"
    HEALTH_RESULT_NOT_ALLOWED = "HEALTH_RESULT_NOT_ALLOWED"
    ALREADY_REMOVED = "ALREADY_REMOVED"
    CLIENT_ID_REUSED = "CLIENT_ID_REUSED"


MAX_LABELS = 20
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class ActivityLog:
    """What staff asked to log, before any rule is checked."""

    child_ids: list[UUID]
    activity_ids: list[UUID]
    at: datetime | None
    note: str
    health_result: HealthResult | None
    client_mutation_id: UUID | None


def _note(value: str, field: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"At most {MAX_NOTE_LENGTH} characters.", field)
    return cleaned


def _moment(at: datetime | None, now: datetime, skew: timedelta) -> datetime:
    """Not in the future (the devices' clocks may run a little ahead: ``skew``)."""
    moment = (at or now).astimezone(UTC)
    if moment > now + skew:
        raise DomainError(ActivitiesErrorCode.FUTURE_TIME, "The time is in the future.", "at")
    return min(moment, now)


def _check_day(site: Site, at: datetime, now: datetime) -> date:
    """The attendance core's rule: a past day only where the site allows editing it."""
    day = org.local_date(site, at)
    if day < org.local_date(site, now) and not site.allow_past_day_edits:
        raise DomainError(
            ActivitiesErrorCode.PAST_DAY_LOCKED, "This site does not allow editing past days.", "at"
        )
    return day


async def _labels(principal: StaffPrincipal, ids: Sequence[UUID]) -> list[ActivityLabel]:
    """Labels of the caller's agency, each open; a foreign one is not found."""
    unique = list(dict.fromkeys(ids))
    if not unique or len(unique) > MAX_LABELS:
        raise InvalidInput(f"Choose 1 to {MAX_LABELS} activities.", "activityIds")
    found = {
        str(label.id): label
        for label in await readable_activity_labels(principal).filter(id__in=unique)
    }
    if len(found) != len(unique):
        raise NotFound("ActivityLabel")
    labels = [found[str(i)] for i in unique]
    retired = [
        DomainError(ActivitiesErrorCode.LABEL_RETIRED, f"{label.name} is retired.", "activityIds")
        for label in labels
        if label.retired_at is not None
    ]
    if retired:
        raise DomainErrors(retired)
    return labels


async def _sessions(
    principal: StaffPrincipal, child_ids: list[UUID], at: datetime
) -> dict[UUID, AttendanceSession]:
    """Each child's session open at ``at`` at one of the caller's sites, or a typed error
    per child not signed in then. Foreign children are not found."""
    readable = await people.readable_children(principal).filter(id__in=child_ids)
    if len(readable) != len(child_ids):
        raise NotFound("Child")
    sessions = await (
        AttendanceSession.filter(
            child_id__in=child_ids,
            signed_in_at__lte=at,
            classroom__site_id__in=list(principal.site_ids),
        )
        .filter(Q(signed_out_at__isnull=True) | Q(signed_out_at__gte=at))
        .select_related("classroom__site", "child")
    )
    found = {UUID(str(s.child_id)): s for s in sessions}
    names = {UUID(str(c.id)): f"{c.first_name} {c.last_name}" for c in readable}
    missing = [
        DomainError(
            ActivitiesErrorCode.NOT_SIGNED_IN,
            f"{names[cid]} was not signed in at that time.",
            "childIds",
        )
        for cid in child_ids
        if cid not in found
    ]
    if missing:
        raise DomainErrors(missing)
    return found


def _health_result(labels: list[ActivityLabel], result: HealthResult | None) -> None:
    if result is not None and not any(lb.kind is ActivityKind.HEALTH_CHECK for lb in labels):
        raise DomainError(
            ActivitiesErrorCode.HEALTH_RESULT_NOT_ALLOWED,
            "Only a health check carries a result.",
            "healthResult",
        )


def _rows(
    principal: StaffPrincipal,
    request: ActivityLog,
    sessions: dict[UUID, AttendanceSession],
    labels: list[ActivityLabel],
    at: datetime,
    now: datetime,
) -> list[ChildActivity]:
    """One activity per child and label, the label's name and kind as they are now."""
    note = _note(request.note, "note")
    rows = []
    for child_id, session in sessions.items():
        for label in labels:
            health = label.kind is ActivityKind.HEALTH_CHECK
            rows.append(
                ChildActivity(
                    id=uuid4(),
                    agency_id=principal.agency_id,
                    child_id=child_id,
                    classroom_id=session.classroom_id,
                    label_id=label.id,
                    label_name=label.name,
                    kind=label.kind,
                    meal_type=label.meal_type,
                    health_result=request.health_result if health else None,
                    note=note,
                    local_date=org.local_date(session.classroom.site, at),
                    occurred_at=at,
                    recorded_at=now,
                    logged_by_id=principal.user_id,
                    logged_by_name=principal.name,
                    device=principal.device,
                    client_uuid=_client_uuid(request.client_mutation_id, child_id, label.id),
                )
            )
    return rows


def _client_uuid(client_mutation_id: UUID | None, child_id: UUID, label_id: UUID) -> UUID | None:
    """One client id names the whole batch; each row's id derives from it."""
    if client_mutation_id is None:
        return None
    return uuid5(client_mutation_id, f"{child_id}:{label_id}")


def _logged_state(row: ChildActivity) -> dict[str, str | None]:
    return {
        "child_id": str(row.child_id),
        "label_id": str(row.label_id),
        "label_name": row.label_name,
        "occurred_at": row.occurred_at.isoformat(),
        "health_result": row.health_result.value if row.health_result else None,
        "note": row.note,
    }


async def _replayed(principal: StaffPrincipal, request: ActivityLog) -> list[ChildActivity]:
    """The rows a device already stored for this very batch (sent again after a timeout)."""
    if request.client_mutation_id is None:
        return []
    uuids = [
        _client_uuid(request.client_mutation_id, child_id, label_id)
        for child_id in request.child_ids
        for label_id in request.activity_ids
    ]
    found = await ChildActivity.filter(device=principal.device, client_uuid__in=uuids)
    if found and len(found) != len(set(uuids)):
        # Part of this batch exists: the id was used for a different batch before.
        raise DomainError(
            ActivitiesErrorCode.CLIENT_ID_REUSED,
            "This clientMutationId was already used for other children or activities.",
            "clientMutationId",
        )
    return found


async def log_activities(
    principal: StaffPrincipal,
    request: ActivityLog,
    *,
    bus: EventBus,
    now: datetime,
    skew: timedelta,
) -> list[ChildActivity]:
    """Log each activity for each child: all of them or none. Audited, then published."""
    child_ids = attendance.check_group(request.child_ids)
    replayed = await _replayed(principal, request)
    if replayed:
        return replayed
    labels = await _labels(principal, request.activity_ids)
    _health_result(labels, request.health_result)
    at = _moment(request.at, now, skew)
    sessions = await _sessions(principal, child_ids, at)
    for site in {str(s.classroom.site.id): s.classroom.site for s in sessions.values()}.values():
        _check_day(site, at, now)
    rows = _rows(principal, request, sessions, labels, at, now)
    try:
        await _save_logged(principal, rows)
    except IntegrityError:
        # The same batch arrived meanwhile from this device: answer what it stored.
        return await _replayed(principal, request)
    await publish_rows(bus, rows, now)
    return rows


async def _save_logged(principal: StaffPrincipal, rows: list[ChildActivity]) -> None:
    """The rows and one audit entry each, all or nothing."""
    async with in_transaction():
        await ChildActivity.bulk_create(rows)
        await audit.record_all(
            [
                audit.new_entry(
                    principal,
                    "activity.log",
                    agency_id=principal.agency_id,
                    target_type="child_activity",
                    target_id=row.id,
                    data={"before": None, "after": _logged_state(row)},
                )
                for row in rows
            ]
        )


async def remove_activity(
    principal: StaffPrincipal,
    activity_id: UUID,
    reason: str,
    *,
    bus: EventBus,
    now: datetime,
) -> ChildActivity:
    """Mark a mistaken activity removed: kept in history with who removed it and why."""
    cleaned = _note(reason, "reason")
    async with in_transaction():
        row = await (
            ChildActivity.filter(
                id=activity_id,
                agency_id=principal.agency_id,
                classroom__site_id__in=list(principal.site_ids),
            )
            .select_for_update()
            .first()
        )
        if row is None:
            raise NotFound("Activity")
        if row.removed_at is not None:
            raise DomainError(
                ActivitiesErrorCode.ALREADY_REMOVED, "This activity is already removed.", "id"
            )
        site = await Site.get(classrooms__id=row.classroom_id)
        _check_day(site, row.occurred_at, now)
        row.removed_at, row.removed_by_name, row.removed_reason = now, principal.name, cleaned
        await row.save(update_fields=["removed_at", "removed_by_name", "removed_reason"])
        await audit.record(
            principal,
            "activity.remove",
            agency_id=principal.agency_id,
            target_type="child_activity",
            target_id=row.id,
            data={
                "before": {**_logged_state(row), "removed_at": None},
                "after": {"removed_at": now.isoformat(), "reason": cleaned},
            },
        )
    await publish_rows(bus, [row], now)
    return row


async def publish_rows(bus: EventBus, rows: Sequence[ChildActivity], now: datetime) -> None:
    """After commit: the children's roster rows redraw (their activities with them).

    Counts do not move, so only the classrooms' roster channels hear of it."""
    by_room: dict[str, set[str]] = defaultdict(set)
    days: dict[str, date] = {}
    for row in rows:
        by_room[str(row.classroom_id)].add(str(row.child_id))
        days[str(row.classroom_id)] = row.local_date
    messages: list[tuple[str, AttendanceChanged]] = []
    for room_id, children in by_room.items():
        classroom = await Classroom.get(id=room_id).select_related("site")
        enrollments = [
            e
            for e in await rosters.classroom_enrollments(classroom.id, days[room_id])
            if str(e.child_id) in children
        ]
        for entry in await rosters.entries_for(enrollments, days[room_id]):
            change = roster_events.roster_changed(classroom.site, entry, now)
            messages.append((channels.classroom_roster(entry.classroom_id), change))
    await bus.publish(messages)


async def activities_of(keys: Sequence[tuple[UUID, date]]) -> list[list[ChildActivity]]:
    """Each (child, day)'s activities, removed ones included: one query for a roster.
    Keyed by children the caller already reached through a scoped roster."""
    grouped: dict[tuple[str, date], list[ChildActivity]] = defaultdict(list)
    rows = await ChildActivity.filter(
        child_id__in=list({k[0] for k in keys}), local_date__in=list({k[1] for k in keys})
    ).order_by("occurred_at", "label_name")
    for row in rows:
        grouped[(str(row.child_id), row.local_date)].append(row)
    return [grouped[(str(child_id), day)] for child_id, day in keys]
