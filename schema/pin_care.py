from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanEditStudents
from resolvers import pin_care as pin_care_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.errors import UserError, code_enum, payload_errors
from schema.people import ContactMethod, FamilyAdult, chosen_method, method_field
from services import pin_care, pins
from services.pin_care import AdultPin

strawberry.enum(
    pin_care.PinCareStatus,
    name="PinCareStatus",
    description="What happened to one adult: REVEALED (revealPins), ISSUED (rePin), QUEUED "
    "(sent); or why not: NO_PIN, NO_CONTACT (no email or phone), TOO_MANY_MESSAGES, "
    "PIN_UNREADABLE (issue a new one), NOT_FOUND (unknown, or not yours to care for).",
)
PinCareStatus = pin_care.PinCareStatus

_GROUP = "One adult or a group (max 100): guardians, contacts and pickups."


@strawberry.type(description="The result for one adult of the request.")
class AdultPinResult:
    adult_id: strawberry.ID
    adult: FamilyAdult | None = strawberry.field(description="Null when NOT_FOUND.")
    status: PinCareStatus
    pin: str | None = strawberry.field(
        description="The PIN, for REVEALED and ISSUED only. Show it, never store it."
    )
    delivery: PinCareStatus | None = strawberry.field(
        description="For rePin with send: QUEUED, NO_CONTACT or TOO_MANY_MESSAGES."
    )

    @classmethod
    def from_domain(cls, result: AdultPin) -> AdultPinResult:
        return cls(
            adult_id=strawberry.ID(result.adult_id),
            adult=FamilyAdult.from_model(result.adult) if result.adult else None,
            status=result.status,
            pin=result.pin,
            delivery=result.delivery,
        )


@strawberry.input
class RevealPinsInput:
    adult_ids: list[strawberry.ID] = strawberry.field(description=_GROUP)


@strawberry.input
class RePinInput:
    adult_ids: list[strawberry.ID] = strawberry.field(description=_GROUP)
    send: bool = strawberry.field(default=False, description="Also send each new PIN (see method).")
    method: ContactMethod | None = method_field()


@strawberry.input
class SendPinsInput:
    adult_ids: list[strawberry.ID] = strawberry.field(description=_GROUP)
    method: ContactMethod | None = method_field()


if TYPE_CHECKING:
    PinCareErrorCode = StrEnum
else:
    PinCareErrorCode = code_enum(
        "PinCareErrorCode",
        pin_care.PinCareErrorCode,
        pins.PinErrorCode,
    )


@strawberry.type
class PinCareError(UserError):
    code: PinCareErrorCode


@strawberry.type
class PinCarePayload:
    results: list[AdultPinResult] = strawberry.field(description="One per adult, in order.")
    errors: list[PinCareError]

    @classmethod
    def from_outcome(cls, result: Outcome[list[AdultPin]]) -> PinCarePayload:
        return cls(
            results=[AdultPinResult.from_domain(r) for r in result.value or []],
            errors=payload_errors(result, PinCareError, PinCareErrorCode),
        )


def _ids(ids: list[strawberry.ID]) -> list[str]:
    return [str(i) for i in ids]


@strawberry.type
class PinCareMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Read adults' PINs back. Every read is audited.",
    )
    async def reveal_pins(self, info: Info, input: RevealPinsInput) -> PinCarePayload:
        result = await pin_care_resolvers.reveal_pins(info, _ids(input.adult_ids))
        return PinCarePayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Give adults new random PINs; their old PINs stop working at once.",
    )
    async def re_pin(self, info: Info, input: RePinInput) -> PinCarePayload:
        result = await pin_care_resolvers.re_pin(
            info, _ids(input.adult_ids), input.send, chosen_method(input.method)
        )
        return PinCarePayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Send adults their current PIN by email or text (method), in their language.",
    )
    async def send_pins(self, info: Info, input: SendPinsInput) -> PinCarePayload:
        result = await pin_care_resolvers.send_pins(
            info, _ids(input.adult_ids), chosen_method(input.method)
        )
        return PinCarePayload.from_outcome(result)
