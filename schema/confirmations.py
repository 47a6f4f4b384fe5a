"""Parents confirm and sign staff entries; staff correct times, reset signatures, ask again."""

from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanEditAttendance, CanViewAttendance, IsParent
from models import signatures as signature_models
from resolvers import confirmations as confirmation_resolvers
from resolvers.context import Info
from schema.attendance import AttendanceEvent, EventKind, RosterEntry
from schema.errors import UserError, code_enum, payload_errors
from schema.people import Child
from services import attendance as attendance_service
from services import confirmations, corrections

strawberry.enum(
    signature_models.SignatureMethod,
    name="SignatureMethod",
    description="How the guardian signed: their kiosk PIN, the family app, or drawn.",
)
SignatureMethod = signature_models.SignatureMethod


@strawberry.type(description="A staff entry waiting for a guardian's confirmation.")
class UnconfirmedEntry:
    id: strawberry.ID
    child: Child
    kind: EventKind
    at: datetime.datetime
    date: datetime.date = strawberry.field(description="The site-local day it belongs to.")
    timezone: str = strawberry.field(description="The site's IANA zone: show `at` in it.")
    reason: str | None
    corrected_from: datetime.datetime | None = strawberry.field(
        description="When this entry corrects another: the time that one said."
    )
    asked_again: bool = strawberry.field(
        description="You had signed the entry this one corrects; please confirm again."
    )

    @classmethod
    def from_domain(cls, entry: confirmations.Unconfirmed) -> UnconfirmedEntry:
        event = entry.event
        return cls(
            id=strawberry.ID(str(event.id)),
            child=Child.from_model(entry.child),
            kind=event.kind,
            at=event.occurred_at,
            date=event.local_date,
            timezone=event.site.timezone,
            reason=event.reason or None,
            corrected_from=entry.corrected_from,
            asked_again=entry.asked_again,
        )


@strawberry.type(description="A guardian's signature over attendance entries, as they read.")
class ParentSignature:
    id: strawberry.ID
    method: SignatureMethod
    signed_at: datetime.datetime
    signed_by: str
    entry_ids: list[strawberry.ID]
    content_hash: str = strawberry.field(description="SHA-256 of the entries as signed.")
    stale: bool = strawberry.field(description="An entry was corrected after signing.")
    reset: bool = strawberry.field(description="Staff withdrew it; the entries need signing.")

    @classmethod
    def from_model(cls, signature: signature_models.ParentSignature) -> ParentSignature:
        return cls(
            id=strawberry.ID(str(signature.id)),
            method=signature.method,
            signed_at=signature.signed_at,
            signed_by=signature.adult.display_name,
            entry_ids=[strawberry.ID(c["event_id"]) for c in signature.content],
            content_hash=signature.content_hash,
            stale=signature.stale_at is not None,
            reset=signature.reset_at is not None,
        )


if TYPE_CHECKING:
    ConfirmationErrorCode = StrEnum
else:
    ConfirmationErrorCode = code_enum(
        "ConfirmationErrorCode",
        confirmations.ConfirmationErrorCode,
        corrections.CorrectionErrorCode,
        attendance_service.AttendanceErrorCode.FUTURE_TIME,
        attendance_service.AttendanceErrorCode.PAST_DAY_LOCKED,
        attendance_service.AttendanceErrorCode.SIGN_OUT_BEFORE_SIGN_IN,
    )


@strawberry.type
class ConfirmationError(UserError):
    code: ConfirmationErrorCode


@strawberry.input
class ConfirmAttendanceInput:
    entry_ids: list[strawberry.ID] = strawberry.field(description="One or up to 100.")


@strawberry.type
class ConfirmAttendancePayload:
    signatures: list[ParentSignature]
    errors: list[ConfirmationError]


@strawberry.input
class CorrectAttendanceTimeInput:
    event_id: strawberry.ID = strawberry.field(description="A sign-in or sign-out.")
    at: datetime.datetime = strawberry.field(description="The right time, with a UTC offset.")
    reason: str


@strawberry.type
class CorrectAttendanceTimePayload:
    correction: AttendanceEvent | None
    entry: RosterEntry | None
    errors: list[ConfirmationError]


@strawberry.input
class ResetParentSignatureInput:
    signature_id: strawberry.ID


@strawberry.type
class ResetParentSignaturePayload:
    signature: ParentSignature | None
    errors: list[ConfirmationError]


@strawberry.input
class RequestConfirmationInput:
    child_id: strawberry.ID


@strawberry.enum(description="What happened to one guardian of a confirmation request.")
class ConfirmationRequestOutcome(Enum):
    QUEUED = "QUEUED"
    NO_CONTACT = "NO_CONTACT"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"


@strawberry.type
class ConfirmationRequestResult:
    guardian_id: strawberry.ID
    guardian_first_name: str
    outcome: ConfirmationRequestOutcome


@strawberry.type
class RequestConfirmationPayload:
    results: list[ConfirmationRequestResult]
    errors: list[ConfirmationError]


@strawberry.type
class ConfirmationQuery:
    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="A child's staff entries still waiting for a guardian's confirmation.",
    )
    async def unconfirmed_entries(
        self, info: Info, child_id: strawberry.ID
    ) -> list[UnconfirmedEntry]:
        found = await confirmation_resolvers.unconfirmed_of_child(info, str(child_id))
        return [UnconfirmedEntry.from_domain(u) for u in found]


@strawberry.type
class ConfirmationMutation:
    @strawberry.mutation(
        permission_classes=[IsParent],
        description="Confirm and sign staff entries of your children: all of them or none.",
    )
    async def confirm_attendance(
        self, info: Info, input: ConfirmAttendanceInput
    ) -> ConfirmAttendancePayload:
        result = await confirmation_resolvers.confirm(info, [str(i) for i in input.entry_ids])
        return ConfirmAttendancePayload(
            signatures=[ParentSignature.from_model(s) for s in result.value or []],
            errors=payload_errors(result, ConfirmationError, ConfirmationErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description=(
            "Correct a sign-in or sign-out time. The original entry stays; parent "
            "signatures over it go stale and the parent is asked again."
        ),
    )
    async def correct_attendance_time(
        self, info: Info, input: CorrectAttendanceTimeInput
    ) -> CorrectAttendanceTimePayload:
        result = await confirmation_resolvers.correct_time(
            info, str(input.event_id), input.at, input.reason
        )
        done = result.value
        return CorrectAttendanceTimePayload(
            correction=AttendanceEvent.from_model(done.correction, done.signoff) if done else None,
            entry=RosterEntry.from_domain(done.entry) if done and done.entry else None,
            errors=payload_errors(result, ConfirmationError, ConfirmationErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description="Withdraw a parent's signature; its entries need confirming again.",
    )
    async def reset_parent_signature(
        self, info: Info, input: ResetParentSignatureInput
    ) -> ResetParentSignaturePayload:
        result = await confirmation_resolvers.reset_signature(info, str(input.signature_id))
        return ResetParentSignaturePayload(
            signature=ParentSignature.from_model(result.value) if result.value else None,
            errors=payload_errors(result, ConfirmationError, ConfirmationErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description="Ask the child's guardians A and B to confirm, by their preferred contact.",
    )
    async def request_confirmation(
        self, info: Info, input: RequestConfirmationInput
    ) -> RequestConfirmationPayload:
        result = await confirmation_resolvers.request_confirmation(info, str(input.child_id))
        return RequestConfirmationPayload(
            results=[
                ConfirmationRequestResult(
                    guardian_id=strawberry.ID(str(r.guardian.id)),
                    guardian_first_name=r.guardian.first_name,
                    outcome=ConfirmationRequestOutcome[r.outcome.value],
                )
                for r in result.value or []
            ],
            errors=payload_errors(result, ConfirmationError, ConfirmationErrorCode),
        )
