"""The facts of an attendance report, read once and folded into plain dataclasses.

A report covers one site, one classroom or one child over at most 31 site-local days.
Six queries whatever the size (sessions, events, signatures, activities, children,
rooms), so a month of a 200-child site reads in about two seconds; the renderers (PDF,
CSV) then work on these values only, in a thread, without touching the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from models.activities import ActivityKind, ChildActivity, MealType
from models.attendance import ActorKind, AttendanceEvent, AttendanceSession, EventKind, EventSource
from models.org import Classroom, Site
from models.people import Child
from models.signatures import ParentSignature, SignatureMethod, SignedEntry


class SignerKind(StrEnum):
    STAFF = "STAFF"
    PARENT = "PARENT"
    SYSTEM = "SYSTEM"


class SignatureMark(StrEnum):
    """What became of a parent signature over a staff entry."""

    NONE = ""
    STALE = "STALE"
    RESET = "RESET"


Strokes = list[list[tuple[float, float]]]


@dataclass(frozen=True)
class Signer:
    """Who stands behind an entry: a parent who signed replaces the staff who typed it."""

    name: str
    kind: SignerKind
    mark: SignatureMark = SignatureMark.NONE
    strokes: Strokes | None = None


@dataclass(frozen=True)
class Visit:
    signed_in_at: datetime
    signed_out_at: datetime | None
    in_signer: Signer
    out_signer: Signer | None
    automatic_out: bool

    @property
    def minutes(self) -> int:
        if self.signed_out_at is None:
            return 0
        return int((self.signed_out_at - self.signed_in_at).total_seconds() // 60)


@dataclass
class ChildDay:
    day: date
    child_id: str
    child_name: str
    classroom_name: str
    visits: list[Visit] = field(default_factory=list)
    absence_reason: str | None = None
    meals: Counter[MealType] = field(default_factory=Counter)
    activities: Counter[str] = field(default_factory=Counter)

    @property
    def absent(self) -> bool:
        """Presence wins: a child reported absent who came anyway was here."""
        return self.absence_reason is not None and not self.visits

    @property
    def minutes(self) -> int:
        return sum(v.minutes for v in self.visits)


@dataclass(frozen=True)
class Totals:
    days_present: int
    days_absent: int
    minutes: int
    meals: int


def totals(days: list[ChildDay]) -> Totals:
    return Totals(
        days_present=sum(1 for d in days if d.visits),
        days_absent=sum(1 for d in days if d.absent),
        minutes=sum(d.minutes for d in days),
        meals=sum(sum(d.meals.values()) for d in days),
    )


@dataclass(frozen=True)
class ChildReport:
    name: str
    days: list[ChildDay]


@dataclass(frozen=True)
class RoomReport:
    name: str
    children: list[ChildReport]


@dataclass(frozen=True)
class ReportData:
    site_name: str
    scope_name: str
    timezone: str
    start: date
    end: date
    rooms: list[RoomReport]

    @property
    def days(self) -> list[ChildDay]:
        return [d for room in self.rooms for child in room.children for d in child.days]

    def meals_by_day(self) -> dict[date, Counter[MealType]]:
        found: dict[date, Counter[MealType]] = defaultdict(Counter)
        for d in self.days:
            found[d.day].update(d.meals)
        return dict(sorted(found.items()))

    def activity_counts(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for d in self.days:
            found.update(d.activities)
        return found


@dataclass(frozen=True)
class Scope:
    """One site, classroom or child, already checked readable by the caller."""

    site: Site
    name: str
    classroom_id: str | None = None
    child_id: str | None = None
    # A child's records at these sites only (the caller's, for staff).
    site_ids: tuple[str, ...] = ()

    def filters(self, site_path: str) -> dict[str, Any]:
        if self.child_id is not None:
            return {"child_id": self.child_id, f"{site_path}__in": list(self.site_ids)}
        if self.classroom_id is not None:
            return {"classroom_id": self.classroom_id}
        return {site_path: self.site.id}


def _signature_signer(signature: ParentSignature, staff: Signer) -> Signer:
    """A current signature replaces the staff name; a stale or reset one only marks it."""
    if signature.reset_at is not None:
        return Signer(staff.name, staff.kind, SignatureMark.RESET)
    if signature.stale_at is not None:
        return Signer(staff.name, staff.kind, SignatureMark.STALE)
    strokes = signature.strokes if signature.method is SignatureMethod.DRAWN else None
    return Signer(signature.adult.display_name, SignerKind.PARENT, strokes=strokes)


class _Signers:
    """Signers of entries, from the events and the signatures over them (or the entries
    they correct: a correction makes the signature over the original stale)."""

    def __init__(self, events: list[AttendanceEvent], entries: list[SignedEntry]) -> None:
        self.events = {str(e.id): e for e in events}
        self.signatures: dict[str, list[ParentSignature]] = defaultdict(list)
        for entry in entries:
            self.signatures[str(entry.event_id)].append(entry.signature)

    def _signatures_of(self, event: AttendanceEvent) -> list[ParentSignature]:
        found = list(self.signatures.get(str(event.id), []))
        corrected = self.events.get(str(event.corrects_id)) if event.corrects_id else None
        if corrected is not None:
            found += self._signatures_of(corrected)
        return found

    def of(self, event_id: str) -> Signer:
        event = self.events[event_id]
        if event.actor_kind is ActorKind.SYSTEM:
            return Signer(event.actor_name, SignerKind.SYSTEM)
        if event.actor_kind is not ActorKind.STAFF:
            return Signer(event.actor_name, SignerKind.PARENT)
        staff = Signer(event.operator_name or event.actor_name, SignerKind.STAFF)
        signed = sorted(self._signatures_of(event), key=lambda s: s.signed_at)
        return _signature_signer(signed[-1], staff) if signed else staff

    def automatic(self, event_id: str | None) -> bool:
        event = self.events.get(str(event_id)) if event_id else None
        return event is not None and event.source is EventSource.AUTO_CHECKOUT


def _visit(session: AttendanceSession, signers: _Signers, zone: ZoneInfo) -> Visit:
    out_id = str(session.sign_out_event_id) if session.sign_out_event_id else None
    return Visit(
        signed_in_at=session.signed_in_at.astimezone(zone),
        signed_out_at=session.signed_out_at.astimezone(zone) if session.signed_out_at else None,
        in_signer=signers.of(str(session.sign_in_event_id)),
        out_signer=signers.of(out_id) if out_id else None,
        automatic_out=signers.automatic(out_id),
    )


def child_name(child: Child) -> str:
    return f"{child.last_name}, {child.first_name}"


async def _read(scope: Scope, start: date, end: date) -> tuple[Any, ...]:
    """The reads of a report, each scoped and bounded by the dates; names are read once
    per child and room rather than joined onto every row."""
    span = {"local_date__gte": start, "local_date__lte": end}
    sessions = await AttendanceSession.filter(
        **span, **scope.filters("classroom__site_id")
    ).order_by("signed_in_at")
    events = await AttendanceEvent.filter(**span, **scope.filters("site_id"))
    entries = await SignedEntry.filter(
        event__local_date__gte=start,
        event__local_date__lte=end,
        **{f"event__{k}": v for k, v in scope.filters("site_id").items()},
    ).select_related("signature", "signature__adult")
    activities = await ChildActivity.filter(
        **span, removed_at__isnull=True, **scope.filters("classroom__site_id")
    )
    rows: list[AttendanceSession | AttendanceEvent | ChildActivity] = [
        *sessions,
        *events,
        *activities,
    ]
    children = await Child.filter(id__in=list({str(r.child_id) for r in rows}))
    rooms = await Classroom.filter(id__in=list({str(r.classroom_id) for r in rows}))
    names = {str(c.id): c for c in children}, {str(r.id): r.name for r in rooms}
    return sessions, events, entries, activities, names


async def build(scope: Scope, start: date, end: date) -> ReportData:
    """Every child-day of the scope with a visit, an absence or an activity."""
    sessions, events, entries, activities, (kids, rooms) = await _read(scope, start, end)
    zone = ZoneInfo(scope.site.timezone)
    signers = _Signers(events, entries)
    days: dict[tuple[str, date], ChildDay] = {}

    def day_of(row: AttendanceSession | AttendanceEvent | ChildActivity) -> ChildDay:
        key = (str(row.child_id), row.local_date)
        if key not in days:
            name = child_name(kids[key[0]])
            days[key] = ChildDay(row.local_date, key[0], name, rooms[str(row.classroom_id)])
        return days[key]

    for session in sessions:
        day_of(session).visits.append(_visit(session, signers, zone))
    for event in events:
        if event.kind is EventKind.ABSENT and event.corrects_id is None:
            day_of(event).absence_reason = event.reason
    for activity in activities:
        day = day_of(activity)
        if activity.kind is ActivityKind.MEAL and activity.meal_type is not None:
            day.meals[activity.meal_type] += 1
        else:
            day.activities[activity.label_name] += 1
    return ReportData(
        site_name=scope.site.name,
        scope_name=scope.name,
        timezone=scope.site.timezone,
        start=start,
        end=end,
        rooms=_group(days, {k: child_name(c) for k, c in kids.items()}),
    )


def _group(days: dict[tuple[str, date], ChildDay], names: dict[str, str]) -> list[RoomReport]:
    """Rooms by name, children by name within each, days in order: a child who moved
    rooms mid-period appears in each room with that room's days."""
    by_room: dict[str, dict[str, list[ChildDay]]] = defaultdict(lambda: defaultdict(list))
    for (child_id, _), day in sorted(days.items(), key=lambda item: item[0][1]):
        by_room[day.classroom_name][child_id].append(day)
    rooms = []
    for room_name in sorted(by_room):
        kids = by_room[room_name]
        ordered = sorted(kids, key=lambda cid: names[cid].casefold())
        rooms.append(RoomReport(room_name, [ChildReport(names[c], kids[c]) for c in ordered]))
    return rooms
