from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

import strawberry

from models import attendance as attendance_models
from realtime import events as realtime_events
from resolvers import activities as activity_resolvers
from resolvers import programs as program_resolvers
from resolvers.context import Info
from resolvers.outcome import bad_input, object_id
from schema.activities import ChildActivity
from schema.errors import UserError, code_enum
from schema.people import Child
from schema.programs import Program
from services import attendance, contactless, rosters, signatures
from services import attendance as attendance_service


@strawberry.enum
class AttendanceStatus(Enum):
    NOT_ARRIVED = "NOT_ARRIVED"
    SIGNED_IN = "SIGNED_IN"
    SIGNED_OUT = "SIGNED_OUT"
    ABSENT = "ABSENT"


# The model enums are the GraphQL enums: registering them names them in the schema.
strawberry.enum(attendance_models.EventKind, name="AttendanceEventKind")
strawberry.enum(attendance_models.ActorKind, name="AttendanceActorKind")
strawberry.enum(attendance_models.EventSource, name="AttendanceSource")
strawberry.enum(
    attendance_models.AuthMethod,
    name="AttendanceAuthMethod",
    description="How the adult behind an entry proved who they are.",
)
EventKind = attendance_models.EventKind
ActorKind = attendance_models.ActorKind
EventSource = attendance_models.EventSource
AuthMethod = attendance_models.AuthMethod


@strawberry.type(description="One entry of the attendance record. Never changed once written.")
class AttendanceEvent:
    id: strawberry.ID
    kind: EventKind
    at: datetime.datetime = strawberry.field(description="When it happened.")
    recorded_at: datetime.datetime = strawberry.field(description="When the server stored it.")
    actor: str = strawberry.field(description="Who signed: the adult or staff member.")
    actor_kind: ActorKind
    operator: str | None = strawberry.field(
        description="The staff member who confirmed a shared-tablet entry with their PIN."
    )
    source: EventSource
    auth_method: AuthMethod
    device: str
    reason: str | None
    corrects_id: strawberry.ID | None = strawberry.field(
        description="The entry this one corrects; that entry stays in the record as it was."
    )
    signed_by: str | None = strawberry.field(
        description="The guardian whose signature in force covers this entry; it replaces "
        "the staff signature in reports."
    )
    signature_id: strawberry.ID | None = strawberry.field(
        description="That signature, for staff to reset (resetParentSignature)."
    )
    signature_stale: bool = strawberry.field(
        description="A parent signed it, then it was corrected: the parent is asked again."
    )
    needs_confirmation: bool = strawberry.field(
        description="A staff entry no parent signature covers yet (and no correction "
        "replaced). Parents are asked for the last 31 days."
    )

    @classmethod
    def from_payload(cls, event: realtime_events.EventPayload) -> AttendanceEvent:
        # A live update carries the event that just happened: no parent has signed it
        # yet, so a staff entry needs confirming. Query the roster for corrections.
        return cls(
            id=strawberry.ID(event.id),
            kind=EventKind(event.kind),
            at=datetime.datetime.fromisoformat(event.at),
            recorded_at=datetime.datetime.fromisoformat(event.recorded_at),
            actor=event.actor,
            actor_kind=ActorKind(event.actor_kind),
            operator=event.operator,
            source=EventSource(event.source),
            auth_method=AuthMethod(event.auth_method),
            device=event.device,
            reason=event.reason,
            corrects_id=None,
            signed_by=None,
            signature_id=None,
            signature_stale=False,
            needs_confirmation=event.actor_kind in (ActorKind.STAFF.value, ActorKind.SYSTEM.value),
        )

    @classmethod
    def from_model(
        cls,
        event: attendance_models.AttendanceEvent,
        signoff: signatures.EventSignoff,
    ) -> AttendanceEvent:
        return cls(
            id=strawberry.ID(str(event.id)),
            kind=event.kind,
            at=event.occurred_at,
            recorded_at=event.recorded_at,
            actor=event.actor_name,
            actor_kind=event.actor_kind,
            operator=event.operator_name,
            source=event.source,
            auth_method=event.auth_method,
            device=event.device,
            reason=event.reason or None,
            corrects_id=strawberry.ID(str(event.corrects_id)) if event.corrects_id else None,
            signed_by=signoff.signed_by,
            signature_id=(
                strawberry.ID(str(signoff.signature_id)) if signoff.signature_id else None
            ),
            signature_stale=signoff.stale,
            needs_confirmation=signoff.needs_confirmation,
        )


@strawberry.type(description="A child's attendance on one site-local day.")
class RosterEntry:
    child: Child
    classroom_id: strawberry.ID
    date: datetime.date
    scheduled: bool = strawberry.field(description="Scheduled to attend on this weekday.")
    status: AttendanceStatus
    signed_in_at: datetime.datetime | None = strawberry.field(
        description="The first sign-in of the day."
    )
    signed_out_at: datetime.datetime | None = strawberry.field(
        description="The last sign-out, once the child is no longer signed in."
    )
    absence_reason: str | None
    events: list[AttendanceEvent] = strawberry.field(
        description="The day's events; in a subscription update, the event that caused it."
    )
    program_id: strawberry.ID | None = strawberry.field(
        description="The program of the enrollment that puts the child on this roster."
    )
    on_roster: bool = strawberry.field(
        default=True,
        description="False in a subscription update when the child left this classroom "
        "(moved to another one): drop the row.",
    )
    auto_checked_out: bool = strawberry.field(
        default=False,
        description="Signed out by the system at the end of the day (AUTO_CHECKOUT), and no "
        "correction replaced that time yet: staff review it (autoCheckouts).",
    )

    @strawberry.field(description="That program.")
    async def program(self, info: Info) -> Program | None:
        if self.program_id is None:
            return None
        found = await program_resolvers.program_of(info, UUID(str(self.program_id)))
        return Program.from_model(found) if found else None

    @strawberry.field(
        description="The child's activities of the day (removed ones only when asked)."
    )
    async def activities(self, info: Info, include_removed: bool = False) -> list[ChildActivity]:
        found = await activity_resolvers.activities_of(
            info, UUID(str(self.child.id)), self.date, include_removed
        )
        return [ChildActivity.from_model(a) for a in found]

    @classmethod
    def from_change(cls, change: realtime_events.AttendanceChanged) -> RosterEntry:
        def moment(value: str | None) -> datetime.datetime | None:
            return datetime.datetime.fromisoformat(value) if value else None

        return cls(
            child=Child(
                id=strawberry.ID(change.child_id),
                first_name=change.child_first_name,
                last_name=change.child_last_name,
                _model=None,
            ),
            classroom_id=strawberry.ID(change.classroom_id),
            date=datetime.date.fromisoformat(change.local_date),
            scheduled=change.scheduled,
            status=AttendanceStatus[change.status],
            signed_in_at=moment(change.signed_in_at),
            signed_out_at=moment(change.signed_out_at),
            absence_reason=change.absence_reason,
            events=[AttendanceEvent.from_payload(change.event)] if change.event else [],
            program_id=strawberry.ID(change.program_id) if change.program_id else None,
            on_roster=change.on_roster,
            auto_checked_out=change.event is not None
            and change.status == AttendanceStatus.SIGNED_OUT.value
            and change.event.source == EventSource.AUTO_CHECKOUT.value
            and change.event.kind == EventKind.SIGN_OUT.value,
        )

    @classmethod
    def from_domain(cls, entry: rosters.RosterEntry) -> RosterEntry:
        return cls(
            child=Child.from_model(entry.child),
            classroom_id=strawberry.ID(str(entry.classroom_id)),
            date=entry.date,
            scheduled=entry.scheduled,
            status=AttendanceStatus[entry.day.status.value],
            signed_in_at=entry.day.signed_in_at,
            signed_out_at=entry.day.signed_out_at,
            absence_reason=entry.day.absence_reason,
            events=[AttendanceEvent.from_model(e, entry.signoff(e)) for e in entry.events],
            program_id=strawberry.ID(str(entry.program_id)) if entry.program_id else None,
            auto_checked_out=entry.auto_checked_out,
        )


@strawberry.type(description="Counts for a site's (or classroom's) local today.")
class LiveCounts:
    enrolled: int = strawberry.field(description="Scheduled today, or with a record today.")
    signed_in: int
    signed_out: int
    absent: int
    incomplete: int = strawberry.field(description="Signed in and not yet out, or no record yet.")

    @classmethod
    def from_domain(cls, counts: rosters.Counts) -> LiveCounts:
        return cls(
            enrolled=counts.enrolled,
            signed_in=counts.signed_in,
            signed_out=counts.signed_out,
            absent=counts.absent,
            incomplete=counts.incomplete,
        )


@strawberry.input
class AttendanceEntryInput:
    child_ids: list[strawberry.ID] = strawberry.field(
        description="One child, or a group (max 100)."
    )
    classroom_id: strawberry.ID
    at: datetime.datetime | None = strawberry.field(
        default=None, description="With a UTC offset. Defaults to now."
    )
    operator_pin: str | None = strawberry.field(
        default=None, description="Your staff PIN, where the site requires one."
    )
    client_mutation_id: UUID | None = strawberry.field(
        default=None,
        description="A UUID the device generates once per entry: sending it again is harmless.",
    )
    contactless_token: str | None = strawberry.field(
        default=None,
        description=(
            "From a parent's phone: the code scanned from the kiosk at the door, required "
            "there; staff entries do not use it."
        ),
    )

    def to_entry(self) -> attendance.Entry:
        """The service's entry; a time without its offset is malformed input."""
        if self.at is not None and self.at.tzinfo is None:
            raise bad_input("Give the time with its UTC offset.", "at")
        return attendance.Entry(
            child_ids=[object_id(str(i), "Child") for i in self.child_ids],
            classroom_id=object_id(str(self.classroom_id), "Classroom"),
            at=self.at,
            operator_pin=self.operator_pin,
            client_mutation_id=self.client_mutation_id,
            contactless_token=self.contactless_token,
        )


@strawberry.input
class SignInInput(AttendanceEntryInput):
    pass


@strawberry.input
class SignOutInput(AttendanceEntryInput):
    pass


@strawberry.input
class MarkAbsentInput:
    child_id: strawberry.ID
    date: datetime.date
    reason: str = ""
    client_mutation_id: UUID | None = strawberry.field(
        default=None,
        description="A UUID the device generates once per entry: sending it again is harmless.",
    )


if TYPE_CHECKING:
    AttendanceErrorCode = StrEnum
else:
    AttendanceErrorCode = code_enum(
        "AttendanceErrorCode",
        attendance_service.AttendanceErrorCode,
        contactless.ContactlessErrorCode,
    )


@strawberry.type
class AttendanceError(UserError):
    code: AttendanceErrorCode


@strawberry.type
class SignInPayload:
    entries: list[RosterEntry]
    errors: list[AttendanceError]


@strawberry.type
class SignOutPayload:
    entries: list[RosterEntry]
    errors: list[AttendanceError]


@strawberry.type
class MarkAbsentPayload:
    entry: RosterEntry | None
    errors: list[AttendanceError]
