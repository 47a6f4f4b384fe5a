"""The kiosk PIN pad and its staff alerts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from realtime import channels
from realtime.bus import Resync
from realtime.events import KioskAlert
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from resolvers.subscriptions import listening
from services import org, pad_lockout, pinpad
from services.pad_lockout import PadState


async def identify(info: Info, pin: str) -> Outcome[pinpad.PadVisit]:
    ctx = info.context
    return await outcome(
        pinpad.identify(ctx.kiosk, pin, secret=ctx.settings.secret, now=ctx.now(), bus=ctx.bus)
    )


async def sign_in(
    info: Info, pin: str, child_ids: list[str], client_mutation_id: UUID | None = None
) -> Outcome[pinpad.PadVisit]:
    ctx = info.context
    ids = [object_id(c, "Child") for c in child_ids]
    return await outcome(
        pinpad.sign_in(
            ctx.kiosk,
            pin,
            ids,
            secret=ctx.settings.secret,
            now=ctx.now(),
            bus=ctx.bus,
            client_mutation_id=client_mutation_id,
        )
    )


async def sign_out(
    info: Info, pin: str, child_ids: list[str], client_mutation_id: UUID | None = None
) -> Outcome[pinpad.PadVisit]:
    ctx = info.context
    ids = [object_id(c, "Child") for c in child_ids]
    return await outcome(
        pinpad.sign_out(
            ctx.kiosk,
            pin,
            ids,
            secret=ctx.settings.secret,
            now=ctx.now(),
            bus=ctx.bus,
            client_mutation_id=client_mutation_id,
        )
    )


async def confirm_entries(info: Info, pin: str, entry_ids: list[str]) -> Outcome[pinpad.PadVisit]:
    ctx = info.context
    ids = [object_id(e, "Entry") for e in entry_ids]
    return await outcome(
        pinpad.confirm_entries(
            ctx.kiosk, pin, ids, secret=ctx.settings.secret, now=ctx.now(), bus=ctx.bus
        )
    )


async def lock(info: Info) -> Outcome[PadState]:
    return await outcome(pad_lockout.lock(info.context.kiosk, info.context.now()))


async def unlock(info: Info, pin: str) -> Outcome[PadState]:
    ctx = info.context
    return await outcome(
        pinpad.unlock(ctx.kiosk, pin, secret=ctx.settings.secret, now=ctx.now(), bus=ctx.bus)
    )


async def pad_state(info: Info) -> PadState:
    ctx = info.context
    return await raising(pad_lockout.current_state(ctx.kiosk, ctx.now()))


async def alerts(info: Info, site_id: str) -> AsyncIterator[KioskAlert]:
    """Kiosk locks and unlocks at a site the caller may see."""
    ctx = info.context
    site = await raising(org.get_site(ctx.principal, object_id(site_id, "Site")))
    async with listening(info, channels.site_alerts(site.id)) as changes:
        async for change in changes:
            # Alerts are moments, not state: after a resync the pads' state is read
            # from the kiosks themselves, so a lost alert needs no replay here.
            if isinstance(change, Resync):
                continue
            if isinstance(change, KioskAlert) and change.site_id == str(site.id):
                yield change


async def pad_state_changes(info: Info) -> AsyncIterator[PadState]:
    """This pad's state now, then re-read whenever a pad of its own site locks or unlocks."""
    ctx = info.context
    kiosk = ctx.kiosk
    async with listening(info, channels.site_alerts(kiosk.site_id)) as changes:
        yield await raising(pad_lockout.current_state(kiosk, ctx.now()))
        async for change in changes:
            if isinstance(change, Resync) or (
                isinstance(change, KioskAlert) and change.site_id == str(kiosk.site_id)
            ):
                yield await raising(pad_lockout.current_state(kiosk, ctx.now()))
