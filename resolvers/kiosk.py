from __future__ import annotations

from datetime import timedelta

from auth.principals import is_kiosk
from models.kiosk import Kiosk
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome, raising
from services import contactless, kiosk, pad_lockout
from services.contactless import ContactlessCode
from services.pad_lockout import PadState


async def pair(info: Info, site_id: str, name: str) -> Outcome[tuple[Kiosk, str]]:
    ctx = info.context
    lifetime = timedelta(days=ctx.settings.kiosk_session_lifetime_days)
    return await outcome(
        kiosk.pair(ctx.staff, object_id(site_id, "Site"), name, lifetime, ctx.now())
    )


async def revoke(info: Info, kiosk_id: str) -> Outcome[Kiosk]:
    ctx = info.context
    return await outcome(kiosk.revoke(ctx.staff, object_id(kiosk_id, "Kiosk"), ctx.bus, ctx.now()))


async def current(info: Info) -> Kiosk:
    """The calling kiosk itself (the permission class admits kiosks only)."""
    principal = info.context.principal
    assert is_kiosk(principal), "field must declare IsKiosk"
    return await raising(kiosk.own(principal))


def contactless_code(info: Info, device: Kiosk) -> ContactlessCode | None:
    """The code parents scan at the kiosk's site; None when contactless is off there."""
    ctx = info.context
    return contactless.current(ctx.settings.secret, device.site, ctx.now())


def pad_state(info: Info, device: Kiosk) -> PadState:
    return pad_lockout.state_of(device, device.site, info.context.now())
