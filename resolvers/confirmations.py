"""Parents confirming staff entries; staff correcting times, resetting signatures, asking."""

from __future__ import annotations

from datetime import datetime

from auth.principals import ParentPrincipal, is_parent
from models.signatures import ParentSignature
from resolvers.context import Info
from resolvers.outcome import Outcome, bad_input, object_id, outcome, raising
from services import confirmations, corrections
from services.confirmations import GuardianRequest, Unconfirmed
from services.corrections import Correction


def _parent(info: Info) -> ParentPrincipal:
    principal = info.context.principal
    assert is_parent(principal), "field must declare IsParent"
    return principal


# --- parents --------------------------------------------------------------------------------


async def unconfirmed(info: Info) -> list[Unconfirmed]:
    return await confirmations.unconfirmed_for_parent(_parent(info), info.context.now())


async def confirm(info: Info, entry_ids: list[str]) -> Outcome[list[ParentSignature]]:
    ids = [object_id(i, "Entry") for i in entry_ids]
    return await outcome(
        confirmations.confirm_as_parent(_parent(info), ids, now=info.context.now())
    )


# --- staff ----------------------------------------------------------------------------------


async def unconfirmed_of_child(info: Info, child_id: str) -> list[Unconfirmed]:
    ctx = info.context
    return await raising(
        confirmations.unconfirmed_for_child(ctx.staff, object_id(child_id, "Child"), ctx.now())
    )


async def correct_time(info: Info, event_id: str, at: datetime, reason: str) -> Outcome[Correction]:
    ctx = info.context
    if at.tzinfo is None:
        raise bad_input("Give the time with its UTC offset.", "at")
    return await outcome(
        corrections.correct_time(
            ctx.staff,
            object_id(event_id, "Attendance event"),
            at,
            reason,
            bus=ctx.bus,
            now=ctx.now(),
            skew=ctx.clock_skew,
        )
    )


async def reset_signature(info: Info, signature_id: str) -> Outcome[ParentSignature]:
    ctx = info.context
    return await outcome(
        confirmations.reset_signature(
            ctx.staff, object_id(signature_id, "Signature"), now=ctx.now()
        )
    )


async def request_confirmation(info: Info, child_id: str) -> Outcome[list[GuardianRequest]]:
    ctx = info.context
    return await outcome(
        confirmations.request_confirmation(
            ctx.staff,
            object_id(child_id, "Child"),
            secret=ctx.settings.secret,
            base_url=ctx.settings.base_url,
            hourly_cap=ctx.settings.notification_destination_hourly_cap,
            now=ctx.now(),
        )
    )
