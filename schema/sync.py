"""Offline batch sync for tablets, and staff review of the conflicts it finds."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

import strawberry

from auth.permissions import CanEditAttendance, CanSyncAttendance, CanViewAttendance
from models import sync as sync_models
from resolvers import sync as sync_resolvers
from resolvers.context import Info
from resolvers.outcome import bad_input, object_id
from schema.attendance import AttendanceEvent, EventKind
from schema.errors import UserError, code_enum, payload_errors
from schema.people import Child
from services import (
    attendance,
    attendance_sync,
    pad_lockout,
    pinpad,
    sync_checks,
    sync_conflicts,
)

strawberry.enum(attendance_sync.SyncOutcome, name="SyncOutcome")
strawberry.enum(sync_models.ConflictReason, name="SyncConflictReason")
strawberry.enum(sync_models.ConflictStatus, name="SyncConflictStatus")
strawberry.enum(sync_conflicts.Decision, name="SyncConflictDecision")
SyncOutcome = attendance_sync.SyncOutcome
ConflictReason = sync_models.ConflictReason
ConflictStatus = sync_models.ConflictStatus
Decision = sync_conflicts.Decision


@strawberry.input(description="One entry captured on the device while offline.")
class SyncEntryInput:
    client_uuid: UUID = strawberry.field(
        description="Generated once per entry on the device; sending it again is harmless."
    )
    kind: EventKind
    child_id: strawberry.ID
    classroom_id: strawberry.ID
    occurred_at: datetime.datetime = strawberry.field(
        description="When it happened, with its UTC offset."
    )
    captured_at: datetime.datetime = strawberry.field(
        description="When the device stored it, by the device's clock, with its UTC offset."
    )
    operator_pin: str | None = strawberry.field(
        default=None,
        description="The staff PIN typed for this entry, where the site asks; from a kiosk, "
        "the PIN the adult typed at the pad.",
    )
    reason: str = strawberry.field(default="", description="An absence's reason.")

    def to_entry(self) -> sync_checks.SyncEntry:
        """The service's entry; a time without its offset is malformed input."""
        for name, value in (("occurredAt", self.occurred_at), ("capturedAt", self.captured_at)):
            if value.tzinfo is None:
                raise bad_input("Give the time with its UTC offset.", name)
        return sync_checks.SyncEntry(
            client_uuid=self.client_uuid,
            kind=self.kind,
            child_id=object_id(str(self.child_id), "Child"),
            classroom_id=object_id(str(self.classroom_id), "Classroom"),
            occurred_at=self.occurred_at.astimezone(datetime.UTC),
            captured_at=self.captured_at.astimezone(datetime.UTC),
            operator_pin=self.operator_pin,
            reason=self.reason,
        )


@strawberry.input
class SyncAttendanceInput:
    device_id: str = strawberry.field(
        description="The tablet's stable name (1-48 of A-Z a-z 0-9 . _ : -), or the id of a "
        "paired kiosk of your site."
    )
    entries: list[SyncEntryInput] = strawberry.field(description="At most 500.")

    def to_batch(self) -> attendance_sync.SyncBatch:
        return attendance_sync.SyncBatch(
            device_id=self.device_id, entries=[e.to_entry() for e in self.entries]
        )


if TYPE_CHECKING:
    SyncErrorCode = StrEnum
    SyncConflictErrorCode = StrEnum
else:
    SyncErrorCode = code_enum(
        "SyncErrorCode",
        sync_checks.SyncErrorCode,
        attendance.AttendanceErrorCode,
        pad_lockout.PadErrorCode.INVALID_PIN,
        pad_lockout.PadErrorCode.PAD_LOCKED,
        pinpad.PinPadErrorCode.NOT_ALLOWED,
    )
    # Deciding rebuilds the child-day, which may close an earlier day's forgotten session.
    SyncConflictErrorCode = code_enum(
        "SyncConflictErrorCode",
        sync_conflicts.SyncConflictErrorCode,
        attendance.AttendanceErrorCode.NOT_SIGNED_IN,
        attendance.AttendanceErrorCode.SIGN_OUT_BEFORE_SIGN_IN,
    )


@strawberry.type
class SyncError(UserError):
    code: SyncErrorCode


@strawberry.type(description="What happened to one entry, in the order sent.")
class SyncEntryResult:
    client_uuid: UUID
    outcome: SyncOutcome
    event: AttendanceEvent | None = strawberry.field(
        description="The stored entry (RECORDED, DUPLICATE, CONFLICT)."
    )
    conflict: ConflictReason | None = strawberry.field(
        description="Why the record cannot place it yet; listed for staff in syncConflicts."
    )
    error: SyncError | None = strawberry.field(description="Why it was REJECTED.")
    past_day: bool = strawberry.field(
        description="Accepted for an earlier day because it was captured on that day."
    )

    @classmethod
    def from_domain(cls, result: attendance_sync.SyncResult) -> SyncEntryResult:
        error = result.error
        return cls(
            client_uuid=result.client_uuid,
            outcome=result.outcome,
            event=(
                AttendanceEvent.from_model(result.event, result.signoff)
                if result.event and result.signoff
                else None
            ),
            conflict=result.conflict,
            error=(
                SyncError(field=error.field, message=error.message, code=SyncErrorCode(error.code))
                if error
                else None
            ),
            past_day=result.past_day,
        )


@strawberry.type
class SyncAttendancePayload:
    results: list[SyncEntryResult]
    errors: list[SyncError]


@strawberry.type(description="An entry the day's record cannot place, for staff to decide.")
class SyncConflict:
    id: strawberry.ID
    child: Child
    date: datetime.date
    reason: ConflictReason
    status: ConflictStatus
    event: AttendanceEvent
    decided_by: str | None
    note: str | None
    updated_at: datetime.datetime

    @classmethod
    def from_domain(cls, item: sync_conflicts.ReviewItem) -> SyncConflict:
        c = item.conflict
        return cls(
            id=strawberry.ID(str(c.id)),
            child=Child.from_model(c.child),
            date=c.local_date,
            reason=c.reason,
            status=c.status,
            event=AttendanceEvent.from_model(c.event, item.signoff),
            decided_by=c.decided_by_name,
            note=c.note or None,
            updated_at=c.updated_at,
        )


@strawberry.input
class DecideSyncConflictInput:
    conflict_id: strawberry.ID
    decision: Decision = strawberry.field(
        description="ACCEPT: the entry stands as captured. DISMISS: it counts no more."
    )
    note: str = ""


@strawberry.type
class SyncConflictError(UserError):
    code: SyncConflictErrorCode


@strawberry.type
class DecideSyncConflictPayload:
    conflict: SyncConflict | None
    errors: list[SyncConflictError]


@strawberry.type
class SyncQuery:
    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="Offline-sync conflicts of one of your sites on a site-local day.",
    )
    async def sync_conflicts(
        self, info: Info, site_id: strawberry.ID, date: datetime.date
    ) -> list[SyncConflict]:
        found = await sync_resolvers.conflicts(info, str(site_id), date)
        return [SyncConflict.from_domain(c) for c in found]


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        permission_classes=[CanSyncAttendance],
        description=(
            "Hand over up to 500 entries captured offline (staff tablets, or a kiosk's own "
            "pad entries, each with the PIN the adult typed). One result per entry; sending "
            "the same batch again answers DUPLICATE and changes nothing."
        ),
    )
    async def sync_attendance(
        self, info: Info, input: SyncAttendanceInput
    ) -> SyncAttendancePayload:
        result = await sync_resolvers.sync(info, input.to_batch())
        return SyncAttendancePayload(
            results=[SyncEntryResult.from_domain(r) for r in result.value or []],
            errors=payload_errors(result, SyncError, SyncErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description="Accept or dismiss an offline-sync conflict. Audited.",
    )
    async def decide_sync_conflict(
        self, info: Info, input: DecideSyncConflictInput
    ) -> DecideSyncConflictPayload:
        result = await sync_resolvers.decide(
            info, str(input.conflict_id), input.decision, input.note
        )
        return DecideSyncConflictPayload(
            conflict=SyncConflict.from_domain(result.value) if result.value else None,
            errors=payload_errors(result, SyncConflictError, SyncConflictErrorCode),
        )
