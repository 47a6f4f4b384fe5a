"""The kiosk PIN pad: identify, sign in/out, lock and unlock; staff alerts of locked pads."""

from __future__ import annotations

import datetime
from collections.abc import AsyncGenerator
from enum import Enum, StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

import strawberry

from auth.permissions import CanViewAttendance, IsKiosk
from realtime.events import KioskAlert as KioskAlertEvent
from resolvers import pinpad as pinpad_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.attendance import AttendanceStatus, EventKind
from schema.errors import UserError, code_enum, payload_errors
from services import attendance, confirmations, pad_lockout, pinpad
from services.pad_lockout import PadState as DomainPadState


@strawberry.enum
class PadLockReason(Enum):
    MANUAL = "MANUAL"
    TOO_MANY_FAILURES = "TOO_MANY_FAILURES"
    SITE_LOCKED = "SITE_LOCKED"


@strawberry.type(description="Whether the PIN pad takes PINs, and until when it does not.")
class PadState:
    locked: bool
    reason: PadLockReason | None
    until: datetime.datetime | None = strawberry.field(
        description="When a failure lock ends by itself; null while locked means a staff PIN."
    )

    @classmethod
    def from_domain(cls, state: DomainPadState) -> PadState:
        return cls(
            locked=state.locked,
            reason=PadLockReason[state.reason.value] if state.reason else None,
            until=state.until,
        )


@strawberry.type(description="A child as the pad shows it: first name and last initial.")
class PadChild:
    id: strawberry.ID
    first_name: str
    last_initial: str
    status: AttendanceStatus

    @strawberry.field
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_initial}".strip()

    @classmethod
    def from_domain(cls, child: pinpad.PadChild) -> PadChild:
        return cls(
            id=strawberry.ID(str(child.id)),
            first_name=child.first_name,
            last_initial=child.last_initial,
            status=AttendanceStatus[child.status.value],
        )


@strawberry.type(description="A staff entry for the guardian to confirm, named as on the pad.")
class PadEntry:
    id: strawberry.ID
    child_id: strawberry.ID
    child_display_name: str = strawberry.field(description="First name and last initial.")
    kind: EventKind
    at: datetime.datetime
    date: datetime.date
    reason: str | None
    corrected_from: datetime.datetime | None = strawberry.field(
        description="When this entry corrects another: the time that one said."
    )

    @classmethod
    def from_domain(cls, entry: pinpad.PadEntry) -> PadEntry:
        event = entry.unconfirmed.event
        return cls(
            id=strawberry.ID(str(entry.id)),
            child_id=strawberry.ID(str(entry.child_id)),
            child_display_name=f"{entry.child_first_name} {entry.child_last_initial}".strip(),
            kind=event.kind,
            at=event.occurred_at,
            date=event.local_date,
            reason=event.reason or None,
            corrected_from=entry.unconfirmed.corrected_from,
        )


@strawberry.type(description="The adult whose PIN was accepted, as the pad greets them.")
class PadAdult:
    id: strawberry.ID
    first_name: str
    last_initial: str

    @strawberry.field
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_initial}".strip()


if TYPE_CHECKING:
    PinPadErrorCode = StrEnum
else:
    PinPadErrorCode = code_enum(
        "PinPadErrorCode",
        pad_lockout.PadErrorCode,
        pinpad.PinPadErrorCode,
        attendance.AttendanceErrorCode.ALREADY_SIGNED_IN,
        attendance.AttendanceErrorCode.NOT_SIGNED_IN,
        attendance.AttendanceErrorCode.SIGN_OUT_BEFORE_SIGN_IN,
        confirmations.ConfirmationErrorCode.NOT_CONFIRMABLE,
    )


@strawberry.type
class PinPadError(UserError):
    code: PinPadErrorCode


@strawberry.type
class PadVisitPayload:
    adult: PadAdult | None
    children: list[PadChild]
    unconfirmed_entries: list[PadEntry] = strawberry.field(
        description="A guardian's family's staff entries to confirm (kioskConfirmEntries); "
        "always empty for contacts and pickups."
    )
    pad_state: PadState
    errors: list[PinPadError]


@strawberry.type
class PadStatePayload:
    pad_state: PadState
    errors: list[PinPadError]


@strawberry.input
class KioskPinInput:
    pin: str


@strawberry.input
class KioskSignInput:
    pin: str
    child_ids: list[strawberry.ID]
    client_mutation_id: UUID | None = strawberry.field(
        default=None,
        description="A UUID the device generates once per entry: sending it again is harmless.",
    )


@strawberry.input
class KioskConfirmEntriesInput:
    pin: str
    entry_ids: list[strawberry.ID]


def _visit_payload(result: Outcome[pinpad.PadVisit], state: DomainPadState) -> PadVisitPayload:
    visit = result.value
    return PadVisitPayload(
        adult=PadAdult(
            id=strawberry.ID(str(visit.adult_id)),
            first_name=visit.adult_first_name,
            last_initial=visit.adult_last_initial,
        )
        if visit
        else None,
        children=[PadChild.from_domain(c) for c in visit.children] if visit else [],
        unconfirmed_entries=(
            [PadEntry.from_domain(e) for e in visit.unconfirmed_entries] if visit else []
        ),
        pad_state=PadState.from_domain(state),
        errors=payload_errors(result, PinPadError, PinPadErrorCode),
    )


def _state_payload(result: Outcome[DomainPadState], state: DomainPadState) -> PadStatePayload:
    return PadStatePayload(
        pad_state=PadState.from_domain(state),
        errors=payload_errors(result, PinPadError, PinPadErrorCode),
    )


@strawberry.type
class PinPadMutation:
    @strawberry.mutation(
        permission_classes=[IsKiosk],
        description=(
            "A family PIN typed at this kiosk: the adult and the children they may sign in "
            "or out here today. Every wrong PIN counts towards the pad's lockout."
        ),
    )
    async def kiosk_identify(self, info: Info, input: KioskPinInput) -> PadVisitPayload:
        result = await pinpad_resolvers.identify(info, input.pin)
        return _visit_payload(result, await pinpad_resolvers.pad_state(info))

    @strawberry.mutation(
        permission_classes=[IsKiosk],
        description="Sign children in with a family PIN: all of them or none.",
    )
    async def kiosk_sign_in(self, info: Info, input: KioskSignInput) -> PadVisitPayload:
        ids = [str(c) for c in input.child_ids]
        result = await pinpad_resolvers.sign_in(info, input.pin, ids, input.client_mutation_id)
        return _visit_payload(result, await pinpad_resolvers.pad_state(info))

    @strawberry.mutation(
        permission_classes=[IsKiosk],
        description="Sign children out with a family PIN: all of them or none.",
    )
    async def kiosk_sign_out(self, info: Info, input: KioskSignInput) -> PadVisitPayload:
        ids = [str(c) for c in input.child_ids]
        result = await pinpad_resolvers.sign_out(info, input.pin, ids, input.client_mutation_id)
        return _visit_payload(result, await pinpad_resolvers.pad_state(info))

    @strawberry.mutation(
        permission_classes=[IsKiosk],
        description=(
            "A guardian confirms and signs their family's staff entries with their PIN: "
            "all of them or none."
        ),
    )
    async def kiosk_confirm_entries(
        self, info: Info, input: KioskConfirmEntriesInput
    ) -> PadVisitPayload:
        ids = [str(e) for e in input.entry_ids]
        result = await pinpad_resolvers.confirm_entries(info, input.pin, ids)
        return _visit_payload(result, await pinpad_resolvers.pad_state(info))

    @strawberry.mutation(
        permission_classes=[IsKiosk],
        description="Lock this kiosk's pad until a staff PIN unlocks it.",
    )
    async def kiosk_lock(self, info: Info) -> PadStatePayload:
        result = await pinpad_resolvers.lock(info)
        return _state_payload(result, result.value or await pinpad_resolvers.pad_state(info))

    @strawberry.mutation(
        permission_classes=[IsKiosk],
        description=(
            "A staff PIN of someone working at this site unlocks the pad, and every pad of "
            "the site when too many wrong PINs locked them for the day."
        ),
    )
    async def kiosk_unlock(self, info: Info, input: KioskPinInput) -> PadStatePayload:
        result = await pinpad_resolvers.unlock(info, input.pin)
        return _state_payload(result, result.value or await pinpad_resolvers.pad_state(info))


# Each carries a PIN: one per operation, so one request cannot try many (reliability #1).
PIN_PAD_SINGLE_ROOT_FIELDS = frozenset(
    {"kioskIdentify", "kioskSignIn", "kioskSignOut", "kioskConfirmEntries", "kioskUnlock"}
)


@strawberry.enum
class KioskAlertReason(Enum):
    PAD_LOCKED = strawberry.enum_value("PAD_LOCKED", description="One pad, for a few minutes.")
    SITE_LOCKED = strawberry.enum_value(
        "SITE_LOCKED", description="Every pad of the site, until a staff PIN unlocks one."
    )
    UNLOCK_BLOCKED = strawberry.enum_value(
        "UNLOCK_BLOCKED", description="Too many wrong staff PINs at one pad's unlock screen."
    )
    UNLOCKED = "UNLOCKED"


@strawberry.type(description="A kiosk's pad was locked by wrong PINs, or unlocked by staff.")
class KioskAlert:
    kiosk_id: strawberry.ID
    kiosk_name: str
    reason: KioskAlertReason
    at: datetime.datetime
    until: datetime.datetime | None

    @classmethod
    def from_event(cls, event: KioskAlertEvent) -> KioskAlert:
        return cls(
            kiosk_id=strawberry.ID(event.kiosk_id),
            kiosk_name=event.kiosk_name,
            reason=KioskAlertReason[event.reason],
            at=datetime.datetime.fromisoformat(event.at),
            until=datetime.datetime.fromisoformat(event.until) if event.until else None,
        )


@strawberry.type
class PinPadSubscription:
    @strawberry.subscription(
        permission_classes=[CanViewAttendance],
        description="Alerts when a kiosk of the site locks after wrong PINs, or is unlocked.",
    )
    async def kiosk_alerts(
        self, info: Info, site_id: strawberry.ID
    ) -> AsyncGenerator[KioskAlert, None]:
        async for alert in pinpad_resolvers.alerts(info, str(site_id)):
            yield KioskAlert.from_event(alert)

    @strawberry.subscription(
        permission_classes=[IsKiosk],
        description="This kiosk's own pad state at once, then again each time a pad of its "
        "site locks after wrong PINs or is unlocked (a failure lock's end: `until`).",
    )
    async def pad_state(self, info: Info) -> AsyncGenerator[PadState, None]:
        async for state in pinpad_resolvers.pad_state_changes(info):
            yield PadState.from_domain(state)
