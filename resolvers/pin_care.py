from __future__ import annotations

from graphql import GraphQLError

from models.people import ContactMethod
from resolvers.context import Info
from resolvers.outcome import Outcome, outcome
from services import pin_care
from services.errors import DomainError
from services.pin_care import AdultPin


async def reveal_pins(info: Info, adult_ids: list[str]) -> Outcome[list[AdultPin]]:
    ctx = info.context
    return await outcome(pin_care.reveal_pins(ctx.staff, adult_ids, ctx.settings.secret))


async def re_pin(
    info: Info, adult_ids: list[str], send: bool, method: ContactMethod | None
) -> Outcome[list[AdultPin]]:
    ctx = info.context
    cap = ctx.settings.notification_destination_hourly_cap
    secret, now = ctx.settings.secret, ctx.now()
    return await outcome(
        pin_care.re_pin(
            ctx.staff, adult_ids, secret, send=send, now=now, hourly_cap=cap, method=method
        )
    )


async def send_pins(
    info: Info, adult_ids: list[str], method: ContactMethod | None
) -> Outcome[list[AdultPin]]:
    ctx = info.context
    cap = ctx.settings.notification_destination_hourly_cap
    secret, now = ctx.settings.secret, ctx.now()
    return await outcome(
        pin_care.send_pins(ctx.staff, adult_ids, secret, now=now, hourly_cap=cap, method=method)
    )


async def own_pin(info: Info, viewer_id: str) -> str | None:
    """The caller's PIN, and only on the caller's own viewer object."""
    ctx = info.context
    if viewer_id != str(ctx.staff.user_id):
        return None
    try:
        return await pin_care.own_pin(ctx.staff, ctx.settings.secret)
    except DomainError as e:
        raise GraphQLError(e.message, extensions={"code": e.code}) from None
